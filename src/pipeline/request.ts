// The seam between the call sender and batching: how one request is sent, and what
// batching needs of the sender. Its own module, so that neither imports the other's.

import type { ApiReply } from '../core/replies.js';
import type { Slot } from './rate-limit.js';

/** How one request is sent. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  maxRetries: number;
  /** Whether the request may be repeated after a failure that may have reached VK. */
  replaySafe: boolean;
  /** A grant the caller already holds for the first attempt. */
  firstSlot?: Slot | undefined;
}

/** What batching needs of the sender: grants from the token's limiter, and plain requests. */
export interface BatchSender {
  acquireSlot(form: URLSearchParams): Promise<Slot | undefined>;
  request(method: string, form: URLSearchParams, options: RequestOptions): Promise<ApiReply>;
}
