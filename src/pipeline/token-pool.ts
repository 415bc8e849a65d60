// A session's pool of tokens (`accessToken: [t1, t2, ...]`). Each call goes out on
// the live token with the fewest of the session's calls outstanding, so that N tokens,
// each within its own rate limit, carry N times the calls of one. A token VK rejects
// (error 5) leaves the pool with a report, and the calls on it move to the others; the
// pool fails only when no token is left.

import { censorValue } from '../core/censor.js';
import { VkError, type ApiError } from '../core/errors.js';

/** What the session reports when VK rejected a token of its pool (error 5) and the
 * token left the pool. */
export interface TokenRejection {
  /** The token's place in the `accessToken` list, from 0. */
  readonly index: number;
  /** The token, censored (`vk1.***`): never the token itself. */
  readonly token: string;
  /** VK's error 5, as the call that met it got it. */
  readonly error: ApiError;
  /** Tokens still in the pool. */
  readonly remaining: number;
}

/** A call's hold on a token of the pool, counted until released. */
export interface PoolLease {
  readonly token: string;
  release(): void;
}

interface Member {
  readonly token: string;
  readonly index: number;
  /** Calls of the session on this token now. */
  outstanding: number;
  live: boolean;
  /** Aborts when VK rejects the token: calls waiting for its limiter move on at once. */
  readonly rejection: AbortController;
}

export class TokenPool {
  /** By token: the tokens live or rejected, so that a call still holding a rejected one is moved. */
  readonly #members = new Map<string, Member>();
  #live: Member[];
  /** Where the search for the least busy token starts: ties go round. */
  #cursor = 0;
  #lastRejection: ApiError | undefined;
  readonly #onRejected: (rejection: TokenRejection) => void;

  /** @param tokens checked: a non-empty list of distinct non-empty strings */
  constructor(tokens: readonly string[], onRejected: ((rejection: TokenRejection) => void) | undefined) {
    checkTokens(tokens);
    this.#live = tokens.map((token, index) => ({
      token,
      index,
      outstanding: 0,
      live: true,
      rejection: new AbortController(),
    }));
    for (const member of this.#live) this.#members.set(member.token, member);
    this.#onRejected = onRejected ?? warnTokenRejected;
  }

  /** Tokens not rejected. */
  get size(): number {
    return this.#live.length;
  }

  /** Whether `token` belongs to the pool and VK rejected it. */
  isRejected(token: string | undefined): boolean {
    return token !== undefined && this.#members.get(token)?.live === false;
  }

  /** Aborts (with VK's error 5) when VK rejects `token`; undefined if it is not one of the pool's. */
  rejectionOf(token: string | undefined): AbortSignal | undefined {
    return token === undefined ? undefined : this.#members.get(token)?.rejection.signal;
  }

  /** A request's seat, if `form` carries a token of the pool. */
  seat(form: URLSearchParams): PoolSeat | undefined {
    const token = form.get('access_token');
    return token !== null && this.#members.has(token) ? new PoolSeat(this, form) : undefined;
  }

  /** The live token with the fewest calls outstanding, held until `release()`. */
  take(): PoolLease {
    const count = this.#live.length;
    if (count === 0) {
      throw new VkError(`No token left in the pool: VK rejected all ${this.#members.size} (error 5)`, {
        cause: this.#lastRejection,
      });
    }
    let chosen = this.#live[this.#cursor % count]!;
    for (let step = 1; step < count; step += 1) {
      const member = this.#live[(this.#cursor + step) % count]!;
      if (member.outstanding < chosen.outstanding) chosen = member;
    }
    this.#cursor = (this.#live.indexOf(chosen) + 1) % count;
    chosen.outstanding += 1;
    let released = false;
    return {
      token: chosen.token,
      release: () => {
        if (released) return;
        released = true;
        chosen.outstanding -= 1;
      },
    };
  }

  /** VK answered error 5 on `token`: it leaves the pool, reported once. Returns
   * whether it was a live token of the pool. */
  reject(token: string | undefined, error: ApiError): boolean {
    const member = token === undefined ? undefined : this.#members.get(token);
    if (member === undefined || !member.live) return false;
    member.live = false;
    this.#live = this.#live.filter((each) => each !== member);
    this.#lastRejection = error;
    member.rejection.abort(error);
    this.#onRejected({ index: member.index, token: censorValue(member.token), error, remaining: this.#live.length });
    return true;
  }
}

/** One request on a token of the pool: when VK rejects that token, the request moves
 * its form to a live one. */
export class PoolSeat {
  readonly #pool: TokenPool;
  readonly #form: URLSearchParams;
  #lease: PoolLease | undefined;

  constructor(pool: TokenPool, form: URLSearchParams) {
    this.#pool = pool;
    this.#form = form;
  }

  /** Aborts when VK rejects the token the request is on now. */
  get rejection(): AbortSignal | undefined {
    return this.#pool.rejectionOf(this.#form.get('access_token') ?? undefined);
  }

  /** Moves the request to the pool's least busy live token if VK rejected the one it
   * is on (throws when none is left); returns whether it moved. */
  moveIfRejected(): boolean {
    if (!this.#pool.isRejected(this.#form.get('access_token') ?? undefined)) return false;
    const lease = this.#pool.take();
    this.#lease?.release();
    this.#lease = lease;
    this.#form.set('access_token', lease.token);
    return true;
  }

  release(): void {
    this.#lease?.release();
  }
}

function checkTokens(tokens: readonly unknown[]): void {
  if (tokens.length === 0) throw new RangeError('accessToken: the list of tokens is empty');
  const seen = new Map<unknown, number>();
  tokens.forEach((token, index) => {
    if (typeof token !== 'string' || token === '')
      throw new RangeError(`accessToken: item ${index} of the list is not a non-empty string`);
    const first = seen.get(token);
    if (first !== undefined)
      throw new RangeError(`accessToken: items ${first} and ${index} of the list are the same token`);
    seen.set(token, index);
  });
}

function warnTokenRejected({ index, token, error, remaining }: TokenRejection): void {
  console.warn(
    `vk-typed: VK rejected token ${index} of the pool (${token}): ${error.message}; it left the pool, ${remaining} left`,
  );
}
