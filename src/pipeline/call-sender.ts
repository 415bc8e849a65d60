// The way from an encoded call to VK's unwrapped reply: through the token's rate
// limiter, with retries, over the session's transport; or, with batching on,
// through an `execute` shared with other calls (batch.ts), which comes back here.

import { Batcher } from './batch.js';
import { secretValues } from '../core/censor.js';
import { ApiError, TransportError } from '../core/errors.js';
import type { CallOptions } from '../core/calls.js';
import type { ApiReply } from '../core/replies.js';
import { isReplaySafe } from '../core/method-traits.js';
import { checkRate, sharedLimiter, type Slot } from './rate-limit.js';
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

  constructor(options: CallSenderOptions) {
    this.#transport = options.transport;
    this.#apiBaseUrl = options.apiBaseUrl;
    this.#rateLimit = options.rateLimit === false ? false : checkRate(options.rateLimit);
    this.#retryPolicy = options.retryPolicy;
    this.#batcher = options.batching ? new Batcher(this, options.retryPolicy) : undefined;
  }

  /** Sends a call whose form (common params, token, own params) is complete. */
  send(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    if (this.#batcher?.accepts(method, form)) return this.#batcher.add(method, form, options);
    return this.request(method, form, {
      signal: options.signal,
      timeout: options.timeout,
      maxRetries: checkMaxRetries(options.maxRetries ?? this.#retryPolicy.maxRetries),
      replaySafe: isReplaySafe(method, form),
    });
  }

  /** One request to `method`: each attempt waits for the token's limiter, then posts. */
  request(method: string, form: URLSearchParams, options: RequestOptions): Promise<ApiReply> {
    const secrets = secretValues(form);
    const url = `${this.#apiBaseUrl}/${encodeURIComponent(method)}`;
    const { signal, timeout } = options;
    let slot = options.firstSlot;
    const attempt = async (): Promise<ApiReply> => {
      const granted = slot ?? (await this.acquireSlot(form, signal));
      slot = undefined;
      try {
        const onWritten = () => granted?.written();
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
        granted?.done();
      }
    };
    return withRetries(attempt, {
      policy: { ...this.#retryPolicy, maxRetries: options.maxRetries },
      replaySafe: options.replaySafe,
      signal,
    });
  }

  /** A grant to send one request on the token `form` carries (nothing when limits are off). */
  async acquireSlot(form: URLSearchParams, signal?: AbortSignal): Promise<Slot | undefined> {
    const perSecond = this.#rateLimit;
    return perSecond === false ? undefined : sharedLimiter(tokenOf(form)).acquire(perSecond, signal);
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
