// The way from an encoded call to VK's unwrapped reply: on a token of the session's
// pool when the call brings none (token-pool.ts), through the token's rate limit
// (kept by the session's store: rate-limit-store.ts), with retries, over the
// session's transport; or, with batching on, through an `execute` shared with other
// calls on the same token (batch.ts), which comes back here.

import { setMaxListeners } from 'node:events';
import { AbortFanout, type Link } from './abort-fanout.js';
import { Batcher } from './batch.js';
import { secretValues } from '../core/censor.js';
import { ApiError, TransportError, VkError } from '../core/errors.js';
import type { CallOptions } from '../core/calls.js';
import type { ApiReply } from '../core/replies.js';
import { isReplaySafe } from '../core/method-traits.js';
import { checkRate, processRateLimitStore, type Slot } from './rate-limit.js';
import { StoreSlot, tokenKey, type RateLimitStore } from './rate-limit-store.js';
import { checkMethodName } from './method-name.js';
import type { RequestOptions } from './request.js';
import { checkMaxRetries, withRetries, type RetryPolicy } from './retry.js';
import type { PoolSeat, TokenPool } from './token-pool.js';
import type { Transport } from '../http/transport.js';

export interface CallSenderOptions {
  transport: Transport;
  /** `https://api.vk.ru/method`, without a trailing slash. */
  apiBaseUrl: string;
  /** Requests per second per token, or `false` for no limit. */
  rateLimit: number | false;
  /** Where the tokens' limits are kept; default: this process. */
  rateLimitStore?: RateLimitStore | undefined;
  /** The tokens a call that brings none goes out on (`accessToken: [...]`). */
  tokenPool?: TokenPool | undefined;
  retryPolicy: RetryPolicy;
  batching: boolean;
}

export class CallSender {
  readonly #transport: Transport;
  readonly #apiBaseUrl: string;
  readonly #rateLimit: number | false;
  readonly #store: RateLimitStore;
  readonly #pool: TokenPool | undefined;
  readonly #retryPolicy: RetryPolicy;
  readonly #batcher: Batcher | undefined;
  readonly #fanout = new AbortFanout();
  /** Aborted by close(): every wait of the session's calls ends; requests in flight settle. */
  readonly #closing = closingController();

  constructor(options: CallSenderOptions) {
    this.#transport = options.transport;
    this.#apiBaseUrl = options.apiBaseUrl;
    this.#rateLimit = options.rateLimit === false ? false : checkRate(options.rateLimit);
    this.#store = options.rateLimitStore ?? processRateLimitStore;
    this.#pool = options.tokenPool;
    this.#retryPolicy = options.retryPolicy;
    this.#batcher = options.batching ? new Batcher(this, options.retryPolicy) : undefined;
  }

  /** Whether calls that bring no token go out on a pool of tokens. */
  get pooled(): boolean {
    return this.#pool !== undefined;
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

  /** Sends a call whose form (common params, token, own params) is complete; one
   * that brings no token gets the pool's least busy one, if the session has a pool. */
  async send(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    this.#closing.signal.throwIfAborted();
    checkMethodName(method);
    const lease = this.#pool !== undefined && !form.has('access_token') ? this.#pool.take() : undefined;
    if (lease !== undefined) form.set('access_token', lease.token);
    try {
      // Batches gather calls by token: an execute goes out on the one token its calls share.
      if (this.#batcher?.accepts(method, form)) return await this.#batcher.add(method, form, options);
      return await this.request(method, form, {
        signal: options.signal,
        timeout: options.timeout,
        maxRetries: checkMaxRetries(options.maxRetries ?? this.#retryPolicy.maxRetries),
        replaySafe: isReplaySafe(method, form),
      });
    } finally {
      lease?.release();
    }
  }

  /** One request to `method`: each attempt waits for the token's limiter, then posts. */
  async request(method: string, form: URLSearchParams, options: RequestOptions): Promise<ApiReply> {
    if (this.#closing.signal.aborted) {
      options.firstSlot?.cancel();
      throw this.#closing.signal.reason;
    }
    const url = `${this.#apiBaseUrl}/${encodeURIComponent(method)}`;
    const { signal, timeout } = options;
    // The limiter and the backoff end on close() too; the request itself only on
    // `signal`. Without a signal of the caller's, the closing one serves as it is.
    const waits: Link =
      signal === undefined ? { signal: this.#closing.signal, end: () => {} } : this.#fanout.link([signal, this.#closing.signal]);
    let slot = options.firstSlot;
    const seat = this.#pool?.seat(form);
    const attempt = async (): Promise<ApiReply> => {
      // VK rejected the pool's token the request is on (it met error 5, or another call
      // on the token did): it moves to a live token, giving back a grant on the old one.
      if (seat?.moveIfRejected()) {
        slot?.cancel();
        slot = undefined;
      }
      const granted = slot ?? (await this.#acquireSeated(form, seat, waits.signal, timeout));
      slot = undefined;
      const secrets = secretValues(form);
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
          this.#store.saturate(tokenKey(tokenOf(form)));
        if (error instanceof ApiError && error.code === 5) this.#pool?.reject(tokenOf(form), error);
        throw error;
      } finally {
        // A request that never went onto the socket never counted: its grant goes back.
        if (written) granted?.done();
        else granted?.cancel();
      }
    };
    try {
      // A pass ends early only when VK rejected the pool's token the call was on: one
      // pass per token at most, each with the full retries.
      for (;;) {
        try {
          return await withRetries(attempt, {
            policy: { ...this.#retryPolicy, maxRetries: options.maxRetries },
            replaySafe: options.replaySafe,
            signal: waits.signal,
          });
        } catch (error) {
          if (!this.#movesToAnotherToken(error, form)) throw error;
        }
      }
    } finally {
      seat?.release();
      waits.end();
    }
  }

  /** VK rejected the pool's token `form` was sent on, and the pool has others. */
  #movesToAnotherToken(error: unknown, form: URLSearchParams): boolean {
    return (
      error instanceof ApiError &&
      error.code === 5 &&
      this.#pool !== undefined &&
      this.#pool.isRejected(tokenOf(form)) &&
      this.#pool.size > 0 &&
      !this.#closing.signal.aborted
    );
  }

  /** A grant to send one request on the token `form` carries (nothing when limits are
   * off, or when VK rejects that token of the pool, before or during the wait: the
   * request then moves to another token and waits there); rejects on `signal` and on close(). */
  async acquireSlot(form: URLSearchParams, signal?: AbortSignal): Promise<Slot | undefined> {
    const rejection = this.#pool?.rejectionOf(tokenOf(form));
    if (rejection?.aborted) return undefined;
    const waits = this.#fanout.link([signal, this.#closing.signal, rejection]);
    try {
      return await this.#acquire(form, waits.signal, undefined);
    } catch (error) {
      if (rejection?.aborted && error === rejection.reason) return undefined;
      throw error;
    } finally {
      waits.end();
    }
  }

  /** A grant on the token of `form`; when VK rejects that token of the pool during
   * the wait, the request moves to a live token and waits there (at most once per token). */
  async #acquireSeated(
    form: URLSearchParams,
    seat: PoolSeat | undefined,
    signal: AbortSignal | undefined,
    timeout: number | undefined,
  ): Promise<Slot | undefined> {
    for (;;) {
      const rejection = seat?.rejection;
      if (rejection === undefined) return this.#acquire(form, signal, timeout);
      const link = this.#fanout.link([signal, rejection]);
      try {
        return await this.#acquire(form, link.signal, timeout);
      } catch (error) {
        if (!(rejection.aborted && error === rejection.reason)) throw error;
        seat!.moveIfRejected();
      } finally {
        link.end();
      }
    }
  }

  async #acquire(
    form: URLSearchParams,
    signal: AbortSignal | undefined,
    timeout: number | undefined,
  ): Promise<Slot | undefined> {
    const perSecond = this.#rateLimit;
    if (perSecond === false) return undefined;
    const grant = await this.#store.acquire(tokenKey(tokenOf(form)), perSecond, {
      signal,
      timeout: timeout ?? this.#transport.timeout,
    });
    return new StoreSlot(grant);
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
