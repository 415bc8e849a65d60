// Where a token's rate limit is kept. By default, in this process (rate-limit.ts):
// every session of the process that uses a token shares its limit. A store shared by
// processes (`RedisRateLimitStore` from `vk-typed/redis`) keeps one token's limit for
// every worker that uses it. The pipeline reaches a store only through this
// interface, and names a token by a hash of it, never by the token itself.

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/**
 * Keeps the per-token rate limits of the sessions that use it (the `rateLimitStore`
 * option). Implement it to share limits through a system of your own; the SDK ships
 * the in-process store (the default) and `RedisRateLimitStore` (`vk-typed/redis`).
 */
export interface RateLimitStore {
  /**
   * Resolves with a grant to send one request on the token named `key` once fewer
   * than `perSecond` requests on it can have reached VK in the last second, counting
   * every grant not cancelled: from when it is given, as arriving any moment; after
   * `written()`, as arrived within 100 ms of it; after `done()`, as arrived by then.
   * Grants as soon as that holds: while calls wait, the token is never left idle.
   * Rejects with the signal's reason when it aborts first; a store that talks to a
   * server gives up on it within `options.timeout` (see RedisRateLimitStore).
   */
  acquire(key: string, perSecond: number, options: RateLimitAcquireOptions): Promise<RateLimitGrant>;
  /** VK answered error 6 on the token (it counted more than the store did): nothing
   * is granted on it for a full second. */
  saturate(key: string): void;
}

/** How long a grant may wait, and for how long it may stay unused. */
export interface RateLimitAcquireOptions {
  /** Aborts the wait. */
  signal?: AbortSignal | undefined;
  /** Milliseconds the request may take once granted (its timeout): a grant not
   * `written()` by then never will be. A store that talks to a server answers, or
   * fails, within it. */
  timeout: number;
}

/** A grant to send one request. The pipeline calls `written()` when the request goes
 * onto the socket (again, if it is resent on a new connection), then `done()` when it
 * completed; or `cancel()` if nothing was sent. Each grant is settled once. */
export interface RateLimitGrant {
  written(): void;
  done(): void;
  cancel(): void;
}

/** A grant as the pipeline holds it: settled once whatever the pipeline calls (so a
 * store need not guard against a second `done()`), with the time it was given. */
export interface Slot extends RateLimitGrant {
  /** `performance.now()` when the grant was given. */
  readonly grantedAt: number;
}

/** Milliseconds VK counts requests over. */
export const windowMs = 1000;

/**
 * VK counts a request when it arrives, which we cannot see: it is somewhere between
 * the moment it goes onto the socket and the moment its reply is back. A request
 * counts from its reply when that is back (it surely arrived by then); while in
 * flight, from its write plus this much, the spread of one-way network delay we
 * allow for; before its write (still connecting: DNS, TCP, TLS can take hundreds of
 * ms) it counts as arriving any moment. Without this, a request that is quick to
 * arrive could land within one second of a slower one at VK's end.
 */
export const arrivalAllowanceMs = 100;

/** The name a store keeps a token's limit under: a hash of the token (no token: the
 * hash of ''), so that no store, log or heap dump holds the token itself. The same
 * in every process, so that processes sharing a store share the token's limit. */
export function tokenKey(token: string | undefined): string {
  return createHash('sha256')
    .update('vk-typed rate limit\0')
    .update(token ?? '')
    .digest('base64url');
}

/** A store's grant as the pipeline holds it (see Slot). */
export class StoreSlot implements Slot {
  readonly grantedAt = performance.now();
  readonly #grant: RateLimitGrant;
  #settled = false;

  constructor(grant: RateLimitGrant) {
    this.#grant = grant;
  }

  written(): void {
    if (!this.#settled) this.#grant.written();
  }

  done(): void {
    if (this.#settle()) this.#grant.done();
  }

  cancel(): void {
    if (this.#settle()) this.#grant.cancel();
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }
}
