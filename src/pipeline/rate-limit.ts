// Per-token rate limiting in this process: the default rate limit store. VK counts
// requests per token per second and answers error 6 past the limit, so every session
// of the process that uses a token shares one limiter for it. The limiter is a
// sliding window over the times requests can have reached VK: a request may start
// only while fewer than its session's `perSecond` requests on the token reached VK in
// the last second, and starts as soon as that holds (no fixed per-call spacing, so a
// queue drains at exactly the limit). Sessions with different limits on one token
// each keep to their own, counting each other's requests.

import { performance } from 'node:perf_hooks';
import type { TokenScope } from '../../generated/sections.js';
import {
  arrivalAllowanceMs,
  tokenKey,
  windowMs,
  type RateLimitAcquireOptions,
  type RateLimitStore,
  type Slot,
} from './rate-limit-store.js';

export type { Slot } from './rate-limit-store.js';

/**
 * Requests per second VK allows each kind of token (VK's "API requests: limits and
 * recommendations", vk.com/dev/api_requests as archived 2019-2021): user and service
 * tokens 3, community tokens 20. An undeclared token (`'any'`) is treated as a user
 * token, the strictest; `'open'` (no token) likewise. (`secure.*` and `ads.*` have
 * limits of their own.)
 */
export const defaultRateLimits: Readonly<Record<TokenScope, number>> = {
  user: 3,
  group: 20,
  service: 3,
  open: 3,
  any: 3,
};

/** A grant of the in-process limiter. Call `written()` when the request goes onto the
 * socket, `done()` when it completed (reply or failure), or `cancel()` if nothing was sent. */
class WindowSlot implements Slot {
  readonly #limiter: RateLimiter;
  /** When the grant was given. */
  readonly grantedAt: number;
  /** The latest time the request can have reached VK (not known before its write). */
  arrivedBy = Number.POSITIVE_INFINITY;
  #settled = false;

  constructor(limiter: RateLimiter, now: number) {
    this.#limiter = limiter;
    this.grantedAt = now;
  }

  /** The request went onto the socket (again, if undici resent it on a new connection). */
  written(): void {
    if (this.#settled) return;
    this.arrivedBy = performance.now() + arrivalAllowanceMs;
    this.#limiter.update();
  }

  /** The request completed: it reached VK (if at all) by now. */
  done(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.arrivedBy = Math.min(this.arrivedBy, performance.now());
    this.#limiter.update();
  }

  /** Nothing was sent: the grant is given back. */
  cancel(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#limiter.giveBack(this);
  }
}

interface Waiter {
  perSecond: number;
  resolve: (slot: WindowSlot) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateLimiter {
  /** Grants that may still count in the current window (older ones are dropped). */
  #recent: WindowSlot[] = [];
  /** Calls waiting for a grant, first come first served. */
  #waiters: Waiter[] = [];
  /** After error 6, nothing is granted before this time. */
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** Calls waiting for a grant. */
  get queued(): number {
    return this.#waiters.length;
  }

  /** No call waiting, none counted in the current window, no pause: nothing worth keeping. */
  get idle(): boolean {
    const now = performance.now();
    this.#forgetOld(now);
    return this.#waiters.length === 0 && this.#recent.length === 0 && now >= this.#pausedUntil;
  }

  /** Resolves with a grant when fewer than `perSecond` requests reached VK in the
   * last second; rejects with the signal's reason if aborted first. */
  acquire(perSecond: number, signal?: AbortSignal): Promise<Slot> {
    checkRate(perSecond);
    signal?.throwIfAborted();
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { perSecond, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal.reason);
          this.update();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.update();
    });
  }

  /** VK answered error 6: it counted more than we did (another process on the
   * token, or a clock of its own), so send nothing on the token for a full window. */
  saturate(): void {
    this.#pausedUntil = performance.now() + windowMs;
    this.update();
  }

  /** A grant given back unused: it never counted. */
  giveBack(slot: WindowSlot): void {
    const index = this.#recent.indexOf(slot);
    if (index >= 0) this.#recent.splice(index, 1);
    this.update();
  }

  /** Grants what can be granted now and sets a timer for the next grant. */
  update(): void {
    const now = performance.now();
    this.#forgetOld(now);
    if (now < this.#pausedUntil) {
      if (this.#waiters.length > 0) this.#wakeAt(this.#pausedUntil);
      return;
    }
    // First come, first served: a waiter whose limit is reached holds the ones behind it.
    let head = this.#waiters[0];
    while (head !== undefined && this.#recent.length < head.perSecond) {
      this.#waiters.shift();
      if (head.onAbort) head.signal?.removeEventListener('abort', head.onAbort);
      const slot = new WindowSlot(this, now);
      this.#recent.push(slot);
      head.resolve(slot);
      head = this.#waiters[0];
    }
    if (head === undefined) {
      this.#clearTimer();
      return;
    }
    // Full: the next grant comes when enough of the counted requests leave the
    // window; if that waits on a request not yet written, its write or reply calls update().
    const arrivals = this.#recent.map((slot) => slot.arrivedBy).sort((a, b) => a - b);
    const next = arrivals[arrivals.length - head.perSecond]! + windowMs;
    if (Number.isFinite(next)) this.#wakeAt(next);
    else this.#clearTimer();
  }

  #forgetOld(now: number): void {
    if (this.#recent.some((slot) => slot.arrivedBy <= now - windowMs)) {
      this.#recent = this.#recent.filter((slot) => slot.arrivedBy > now - windowMs);
    }
  }

  #wakeAt(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    // Timers may fire a little early; update() then just sets another.
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.update();
      },
      Math.max(0, Math.ceil(at - performance.now())),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

// One limiter per token for the whole process, found by a hash of the token (see
// tokenKey) so that the token itself is never kept where a heap dump could show it.
// Kept on globalThis under a registered symbol: a process that loads both the ESM and
// the CommonJS build still has one limiter per token. The suffix changes with the
// limiter's shape, so that two incompatible versions never share one.
const registryKey = Symbol.for('vk-typed.rate-limiters.v1');
const registry = globalThis as typeof globalThis & { [registryKey]?: Map<string, RateLimiter> };
const limiters = (registry[registryKey] ??= new Map<string, RateLimiter>());
let sweepAt = 64;

/** The limiter shared by every session using `token` (no token: one shared anonymous limiter). */
export function sharedLimiter(token: string | undefined): RateLimiter {
  return limiterFor(tokenKey(token));
}

function limiterFor(key: string): RateLimiter {
  let limiter = limiters.get(key);
  if (limiter === undefined) {
    if (limiters.size >= sweepAt) sweepIdle();
    limiter = new RateLimiter();
    limiters.set(key, limiter);
  }
  return limiter;
}

/** Drops limiters with nothing queued or counted: a new one later starts from the same (empty) state. */
function sweepIdle(): void {
  for (const [key, limiter] of limiters) if (limiter.idle) limiters.delete(key);
  sweepAt = Math.max(64, limiters.size * 2);
}

/** The default store: this process's limiters, one per token, shared by every
 * session of the process (and the first stage of RedisRateLimitStore). */
export const processRateLimitStore: RateLimitStore = {
  acquire: (key: string, perSecond: number, options: RateLimitAcquireOptions) =>
    limiterFor(key).acquire(perSecond, options.signal),
  saturate: (key: string) => limiterFor(key).saturate(),
};

export function checkRate(perSecond: number): number {
  if (!(Number.isInteger(perSecond) && perSecond >= 1)) {
    throw new RangeError(`rateLimit must be a whole number of requests per second (1 or more), got ${perSecond}`);
  }
  return perSecond;
}
