// Retries: which failures deserve another attempt, how long to wait before it, and
// the attempt loop. A retry must never make VK do a thing twice, so a failure is
// retried only when VK surely did not run the call, or when running it again does
// no harm (a read, or a write with a de-duplication key: see ../core/method-traits.ts).

import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, TimeoutError, TransportError } from '../core/errors.js';
import { longestTimerMs } from '../core/timers.js';

export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** Milliseconds: the nth retry waits a random time up to `initialDelay * 2^n`... */
  initialDelay: number;
  /** ...but never more than this. */
  maxDelay: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = { maxRetries: 3, initialDelay: 500, maxDelay: 8000 };

/**
 * VK errors that say the call was refused before it ran: too many requests per
 * second (6), flood control (9), internal server error (10).
 */
const refusedByVk: ReadonlySet<number> = new Set([6, 9, 10]);

/** Network errors raised before a request could be written: VK never saw it. */
const notSentCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * - `not-run`: VK did not run the call (a refused connection, errors 6/9/10, HTTP
 *   429): any call may be retried.
 * - `maybe-run`: the request may have been run and its reply lost (a connection
 *   reset after the request was written, a timeout, HTTP 5xx, a mangled reply):
 *   only calls that are safe to repeat are retried.
 * - `final`: retrying cannot help (any other VK error, a bad param, HTTP 4xx, a
 *   closed client, an abort).
 */
export type FailureKind = 'not-run' | 'maybe-run' | 'final';

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ApiError) return refusedByVk.has(error.code) ? 'not-run' : 'final';
  if (error instanceof TimeoutError) return 'maybe-run';
  if (!(error instanceof TransportError)) return 'final';
  const { status } = error;
  if (status === undefined) return wasNotSent(error.cause) ? 'not-run' : 'maybe-run';
  if (status === 429) return 'not-run';
  // 5xx, or a 2xx whose body was not VK's JSON: VK may have run the call.
  return status >= 500 || status < 300 ? 'maybe-run' : 'final';
}

function wasNotSent(cause: unknown): boolean {
  // With several addresses to try, Node reports every failed connect at once.
  if (cause instanceof AggregateError && cause.errors.length > 0) return cause.errors.every(wasNotSent);
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && notSentCodes.has(code);
}

/** Whether a call that failed with `error` may be sent again. */
export function isRetryable(error: unknown, replaySafe: boolean): boolean {
  const kind = classifyFailure(error);
  return kind === 'not-run' || (kind === 'maybe-run' && replaySafe);
}

/** Full jitter: spreads the retries of many clients that failed together, so they
 * do not come back together. `retry` counts from 0. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelay, policy.initialDelay * 2 ** retry);
}

/**
 * How long to wait before retry number `retry` (from 0) after `error`: what the
 * server asked for (HTTP `Retry-After`), else the backoff. Undefined when the server
 * asked for longer than the policy's `maxDelay`: coming back earlier would only be
 * refused again, so the call fails now, its error carrying `retryAfter`.
 */
export function retryDelay(error: unknown, retry: number, policy: RetryPolicy): number | undefined {
  const asked = error instanceof TransportError ? error.retryAfter : undefined;
  if (asked === undefined) return backoffDelay(retry, policy);
  return asked <= policy.maxDelay ? asked : undefined;
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with its own AbortError; callers expect the signal's reason.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** The call may be repeated even when it may have run (see ../core/method-traits.ts). */
  replaySafe: boolean;
  signal?: AbortSignal | undefined;
}

/** Runs `attempt` until it succeeds, fails for good, or the retries run out. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  { policy, replaySafe, signal }: RetryOptions,
): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted || retry >= policy.maxRetries || !isRetryable(error, replaySafe)) throw error;
      const wait = retryDelay(error, retry, policy);
      if (wait === undefined) throw error;
      await sleep(wait, signal);
    }
  }
}

export function checkMaxRetries(maxRetries: number): number {
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new RangeError(`maxRetries must be a whole number, 0 or more; got ${maxRetries}`);
  }
  return maxRetries;
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  checkMaxRetries(policy.maxRetries);
  for (const [name, value] of [
    ['initialDelay', policy.initialDelay],
    ['maxDelay', policy.maxDelay],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0 && value <= longestTimerMs))
      throw new RangeError(`retryDelay.${name} must be 0 to ${longestTimerMs} milliseconds; got ${value}`);
  }
  return policy;
}
