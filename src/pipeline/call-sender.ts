// The way from an encoded call to VK's unwrapped reply: through the token's rate
// limiter, with retries, over the session's transport; or, with batching on,
// through an `execute` shared with other calls (batch.ts), which comes back here.

import { setMaxListeners } from 'node:events';
import { AbortFanout, type Link } from './abort-fanout.js';
import { Batcher } from './batch.js';
import { secretValues } from '../core/censor.js';
import { ApiError, TransportError, VkError } from '../core/errors.js';
import type { CallOptions } from '../core/calls.js';
import type { ApiReply } from '../core/replies.js';
import { isReplaySafe } from '../core/method-traits.js';
import { checkRate, sharedLimiter, type Slot } from './rate-limit.js';
import { checkMethodName } from './method-name.js';
import type { RequestOptions } from './request.js';
import { checkMaxRetries, withRetries, type RetryPolicy } from './retry.js';
import type { Transport } from '../http/transport.js';

export interface CallSenderOptions {
  transport: Transport;
  /** `https://api.vk.ru/method`, without a trailing slash. */
  apiBaseUrl: string;
  /** Requests per second per token, or `false` for no limit. */
  rateLimit: number | false;
  retryPolicy: RetryPolicy;
  batching: boolean;
}

export class CallSender {
  readonly #transport: Transport;
  readonly #apiBaseUrl: string;
  readonly #rateLimit: number | false;
  readonly #retryPolicy: RetryPolicy;
  readonly #batcher: Batcher | undefined;
  readonly #fanout = new AbortFanout();
  /** Aborted by close(): every wait of the session's calls ends; requests in flight settle. */
  readonly #closing = closingController();

  constructor(options: CallSenderOptions) {
    this.#transport = options.transport;
    this.#apiBaseUrl = options.apiBaseUrl;
    this.#rateLimit = options.rateLimit === false ? false : checkRate(options.rateLimit);
    this.#retryPolicy = options.retryPolicy;
    this.#batcher = options.batching ? new Batcher(this, options.retryPolicy) : undefined;
  }

  /** A signal for one call that aborts with `signal`, sharing the session's one
   * listener on it with every other call under it (see AbortFanout). */
  link(signal: AbortSignal | undefined): Link {
    return this.#fanout.link([signal]);
  }

  /** Rejects the calls still waiting (for the limiter, a batch, a retry) with "The
   * client is closed", giving their place in the token's queue to other sessions;
   * requests in flight settle. Later calls fail at once. */
  close(): void {
    if (this.#closing.signal.aborted) return;
    const closed = new VkError('The client is closed');
    this.#closing.abort(closed);
    this.#batcher?.close(closed);
  }

  /** Sends a call whose form (common params, token, own params) is complete. */
  async send(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    this.#closing.signal.throwIfAborted();
    checkMethodName(method);
    if (this.#batcher?.accepts(method, form)) return this.#batcher.add(method, form, options);
    return this.request(method, form, {
      signal: options.signal,
      timeout: options.timeout,
      maxRetries: checkMaxRetries(options.maxRetries ?? this.#retryPolicy.maxRetries),
      replaySafe: isReplaySafe(method, form),
    });
  }

  /** One request to `method`: each attempt waits for the token's limiter, then posts. */
  async request(method: string, form: URLSearchParams, options: RequestOptions): Promise<ApiReply> {
    if (this.#closing.signal.aborted) {
      options.firstSlot?.cancel();
      throw this.#closing.signal.reason;
    }
    const secrets = secretValues(form);
    const url = `${this.#apiBaseUrl}/${encodeURIComponent(method)}`;
    const { signal, timeout } = options;
    // The limiter and the backoff end on close() too; the request itself only on
    // `signal`. Without a signal of the caller's, the closing one serves as it is.
    const waits: Link =
      signal === undefined ? { signal: this.#closing.signal, end: () => {} } : this.#fanout.link([signal, this.#closing.signal]);
    let slot = options.firstSlot;
    const attempt = async (): Promise<ApiReply> => {
      const granted = slot ?? (await this.#acquire(form, waits.signal));
      slot = undefined;
      let written = false;
      try {
        const onWritten = () => {
          written = true;
          granted?.written();
        };
        return unwrap(
          method,
          await this.#transport.postForm(url, form, { signal, timeout, secrets, onWritten }),
          secrets,
        );
      } catch (error) {
        // VK counted more than we did: hold every call on this token back a second.
        if (error instanceof ApiError && error.code === 6 && this.#rateLimit !== false)
          sharedLimiter(tokenOf(form)).saturate();
        throw error;
      } finally {
        // A request that never went onto the socket never counted: its grant goes back.
        if (written) granted?.done();
        else granted?.cancel();
      }
    };
    try {
      return await withRetries(attempt, {
        policy: { ...this.#retryPolicy, maxRetries: options.maxRetries },
        replaySafe: options.replaySafe,
        signal: waits.signal,
      });
    } finally {
      waits.end();
    }
  }

  /** A grant to send one request on the token `form` carries (nothing when limits are
   * off); rejects on `signal` and on close(). */
  async acquireSlot(form: URLSearchParams, signal?: AbortSignal): Promise<Slot | undefined> {
    const waits = this.#fanout.link([signal, this.#closing.signal]);
    try {
      return await this.#acquire(form, waits.signal);
    } finally {
      waits.end();
    }
  }

  #acquire(form: URLSearchParams, signal: AbortSignal | undefined): Promise<Slot | undefined> {
    const perSecond = this.#rateLimit;
    return perSecond === false ? Promise.resolve(undefined) : sharedLimiter(tokenOf(form)).acquire(perSecond, signal);
  }
}

/** VK's reply: `{response}` (with `execute_errors` after an execute), or `{error}`, thrown as an `ApiError`. */
function unwrap(method: string, reply: unknown, secrets: readonly string[]): ApiReply {
  if (isRecord(reply) && isRecord(reply['error'])) throw new ApiError(reply['error'], secrets);
  if (!isRecord(reply) || !('response' in reply)) {
    throw new TransportError(`${method}: the reply is neither {response} nor {error: {...}}`);
  }
  const executeErrors = reply['execute_errors'];
  return {
    response: reply['response'],
    executeErrors: Array.isArray(executeErrors)
      ? executeErrors.filter(isRecord).map((e) => new ApiError(e, secrets))
      : [],
  };
}

function tokenOf(form: URLSearchParams): string | undefined {
  return form.get('access_token') ?? undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The session's own "closed" signal. Every wait of every call listens to it while it
 * waits and stops when the wait ends, so its listener count is the number of waits
 * now, however many: no leak to warn of. */
function closingController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(Number.POSITIVE_INFINITY, controller.signal);
  return controller;
}
