// What a call gives back once VK has answered it, as the pipeline hands it to the
// session and `execute()` to the user.

import type { ApiError } from './errors.js';

/** What `execute` gives back: the script's result and the errors of the calls that failed in it. */
export interface ExecuteResult<R> {
  response: R;
  executeErrors: ApiError[];
}

/** VK's reply to a call that succeeded: the result, and the errors of calls that failed inside an execute. */
export interface ApiReply {
  response: unknown;
  executeErrors: ApiError[];
}
