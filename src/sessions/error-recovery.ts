// What a session does with an error VK answered a call with (the seed's
// `on_api_error_<code>` / `on_api_error`): a handler keyed by the error's code, else
// the built-in captcha answer for error 14, else `onApiError`. A handler's return
// value becomes the call's result, so a handler retries by returning `request.retry()`.

import { ApiErrorCode } from '../../generated/errors.js';
import type { AuthError } from '../auth/auth-error.js';
import type { CaptchaAnswer } from '../auth/challenges.js';
import { ApiError, VkError } from '../core/errors.js';
import type { ApiCall, CallOptions } from '../core/calls.js';
import type { ApiReply } from '../core/replies.js';
import { untilAborted } from '../core/until-aborted.js';

/** The call an error handler is handling. */
export interface ApiErrorRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly options: CallOptions;
  /** 1 for the call as first sent, 2 for its first re-send, ... */
  readonly attempt: number;
  /** Sends the call again, with `params` merged over its own, and resolves to its
   * result (an error of the re-send goes through the handlers again). Refused with
   * the error being handled once the call has been retried `maxHandlerRetries` times. */
  retry(params?: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Handles one error code; what it returns (or resolves to) is the call's result. */
export type ApiErrorHandler<C extends number = number> = (
  error: ApiError & { readonly code: C },
  request: ApiErrorRequest,
) => unknown;

/** Handlers keyed by VK error code, e.g. `{ [ApiErrorCode.TooMany]: (error, request) => ... }`. */
export type ApiErrorHandlers = { readonly [C in ApiErrorCode]?: ApiErrorHandler<C> };

export interface ApiErrorHookOptions {
  /** Called for every VK error no handler keyed by its code takes; its return value
   * becomes the call's result. Default: the error is thrown. */
  onApiError?: ApiErrorHandler;
  /** Handlers keyed by error code, tried first (the seed's `on_api_error_<code>`). */
  apiErrorHandlers?: ApiErrorHandlers;
  /** Answers a captcha: error 14 of a call (an `ApiError`), or one a login meets
   * (an `AuthError` with code `CAPTCHA_REQUIRED`). Read `captchaImg` and return the
   * key; or, for VK's newer captcha, have a person solve the page at `redirectUri`
   * and return `{ successToken }` (the call is re-sent with it and VK's `remixstlid`).
   * Throw to give up. Default: interactive prompt when `interactive`, else the error is thrown. */
  getCaptchaKey?: (error: CaptchaError) => CaptchaAnswer | Promise<CaptchaAnswer>;
  /** Captcha answers tried for one call or one login before giving up (default 3). */
  captchaAttempts?: number;
  /** Times one call may be re-sent with `request.retry()` (default 5). */
  maxHandlerRetries?: number;
}

/** The errors a captcha comes with: the fields a `getCaptchaKey` reads are on both. */
export type CaptchaError = ApiError | AuthError;

/** What recovery needs from the session. */
export interface RecoveryHooks {
  readonly handlers: ApiErrorHandlers;
  onApiError(error: ApiError, request: ApiErrorRequest): unknown;
  /** `signal` is the call's: a prompt asking for the answer stops on it. */
  getCaptchaKey(error: ApiError, signal: AbortSignal | undefined): CaptchaAnswer | Promise<CaptchaAnswer>;
  readonly captchaAttempts: number;
  readonly maxHandlerRetries: number;
  /** Sends a call once, without recovery. */
  send(call: ApiCall): Promise<ApiReply>;
}

export const defaultCaptchaAttempts = 3;
export const defaultMaxHandlerRetries = 5;

/** How many times one call has been re-sent so far, by kind; shared by every
 * recovery of the call, so the bounds hold across nested retries. */
interface Resends {
  byHandlers: number;
  captchaAnswers: number;
}

export function recoverFromApiError(error: ApiError, call: ApiCall, hooks: RecoveryHooks): Promise<ApiReply> {
  return recover(error, call, hooks, { byHandlers: 0, captchaAnswers: 0 });
}

async function recover(error: ApiError, call: ApiCall, hooks: RecoveryHooks, resends: Resends): Promise<ApiReply> {
  const { signal } = call.options;
  let lastReply: ApiReply | undefined;
  const resend = async (params: Readonly<Record<string, unknown>>): Promise<unknown> => {
    // A handler still running after the call was given up sends nothing.
    signal?.throwIfAborted();
    const next: ApiCall = { ...call, params: { ...call.params, ...params } };
    try {
      lastReply = await hooks.send(next);
    } catch (nextError) {
      if (!(nextError instanceof ApiError)) throw nextError;
      lastReply = await recover(nextError, next, hooks, resends);
    }
    return lastReply.response;
  };
  const request: ApiErrorRequest = {
    method: call.method,
    params: { ...call.params },
    options: call.options,
    attempt: 1 + resends.byHandlers + resends.captchaAnswers,
    retry: async (params = {}) => {
      if (resends.byHandlers >= hooks.maxHandlerRetries) throw error;
      resends.byHandlers += 1;
      return resend(params);
    },
  };

  const handler = (hooks.handlers as Readonly<Record<number, ApiErrorHandler | undefined>>)[error.code];
  let result: unknown;
  if (handler !== undefined) result = await untilAborted(handler(error, request), signal);
  else if (error.code === ApiErrorCode.Captcha) result = await answerCaptcha(error, hooks, resends, resend, signal);
  else result = await untilAborted(hooks.onApiError(error, request), signal);
  // A handler that returns its retry's result keeps that reply's execute_errors.
  return lastReply !== undefined && Object.is(result, lastReply.response)
    ? lastReply
    : { response: result, executeErrors: [] };
}

/** Error 14: ask for the answer and re-send the call with it, `captchaAttempts` times at most. */
async function answerCaptcha(
  error: ApiError,
  hooks: RecoveryHooks,
  resends: Resends,
  resend: (params: Readonly<Record<string, unknown>>) => Promise<unknown>,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (resends.captchaAnswers >= hooks.captchaAttempts) throw error;
  resends.captchaAnswers += 1;
  const answer = await untilAborted(hooks.getCaptchaKey(error, signal), signal);
  if (typeof answer === 'string') {
    if (error.captchaSid === undefined) {
      throw new VkError('getCaptchaKey gave a key, but this captcha has no captcha_sid: answer { successToken }');
    }
    return resend({ captcha_sid: error.captchaSid, captcha_key: answer });
  }
  if (typeof answer?.successToken !== 'string') {
    throw new VkError('getCaptchaKey gave neither a key nor { successToken }');
  }
  // The newer captcha: VK wants back the fields it sent with the challenge, as the
  // text it sent (remixstlid is a 64-bit integer: see verbatimFields in core/errors.ts).
  return resend({
    success_token: answer.successToken,
    remixstlid: error.remixstlid,
    captcha_sid: error.captchaSid,
    captcha_ts: error.raw['captcha_ts'],
    captcha_attempt: error.raw['captcha_attempt'],
  });
}
