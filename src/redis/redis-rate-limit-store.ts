// RedisRateLimitStore: one token's rate limit shared by every process that uses the
// same Redis. A request first gets a grant of the process's own limiter (so that the
// process's requests are always counted where it can see them), then one from the
// token's sliding window in Redis (window-scripts.ts), which every process shares.
// When Redis is unreachable or slow, calls go on under the process's own limiter
// (or fail, with `whenUnavailable: 'fail'`), within the call's timeout.

import { randomBytes } from 'node:crypto';
import type { InspectOptions } from 'node:util';
import { longestTimerMs } from '../core/timers.js';
import { processRateLimitStore } from '../pipeline/rate-limit.js';
import type { RateLimitAcquireOptions, RateLimitGrant, RateLimitStore } from '../pipeline/rate-limit-store.js';
import { RedisConnection, type RedisStoreStatus } from './redis-connection.js';
import { RateLimitStoreError } from './store-error.js';
import { TokenQueue } from './token-queue.js';
import { scripts, type RedisScriptClient } from './window-scripts.js';

interface CommonOptions {
  /** Prefix of the store's keys (default `vk-typed:rate-limit:`). A token's keys are
   * `<prefix>{<hash of the token>}` and `<prefix>{<hash>}:pause`: never the token
   * itself, and both in one cluster slot. */
  keyPrefix?: string;
  /** Milliseconds Redis may take to answer (default 1000), and never more than the
   * call's own timeout; past it, Redis counts as unavailable. */
  commandTimeout?: number;
  /** What calls do while Redis is unavailable: `'in-process'` (default) goes on
   * under each process's own limiter, so that N processes on one token may send up
   * to N times its limit until Redis is back (VK's error 6 is then retried); `'fail'`
   * fails them with a `RateLimitStoreError`. */
  whenUnavailable?: 'in-process' | 'fail';
  /** Told when Redis becomes unavailable, and when it is back. Default: one
   * `console.warn` line each time. */
  onStatus?: (status: RedisStoreStatus) => void;
}

/** A Redis URL (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS):
 * the store makes its own client (the `redis` package) and closes it on `close()`.
 * Or a client of yours, already connected: the store uses it and leaves it open. */
export type RedisRateLimitStoreOptions = CommonOptions &
  ({ url: string; client?: undefined } | { client: RedisScriptClient; url?: undefined });

const defaultKeyPrefix = 'vk-typed:rate-limit:';
const defaultCommandTimeout = 1000;

/**
 * Keeps tokens' rate limits in Redis, shared by every process that uses the store
 * with the same Redis: `new API({ accessToken, rateLimitStore: new
 * RedisRateLimitStore({ url: process.env.REDIS_URL }) })` in each worker, and no more
 * than `rateLimit` requests of one token reach VK in any second, whatever the number
 * of workers. Give every session of a process the same store; `close()` it at the end.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #connection: RedisConnection;
  readonly #keyPrefix: string;
  readonly #whenUnavailable: 'in-process' | 'fail';
  readonly #queues = new Map<string, TokenQueue>();
  /** Grant ids are this store's tag plus a serial: unique across processes. */
  readonly #tag = randomBytes(9).toString('base64url');
  #serial = 0;
  #closed = false;

  constructor(options: RedisRateLimitStoreOptions) {
    const { url, client } = options as { url?: unknown; client?: unknown };
    if ((url === undefined) === (client === undefined)) {
      throw new RangeError('RedisRateLimitStore takes either a url or a client');
    }
    if (url !== undefined) checkUrl(url);
    if (client !== undefined && !isScriptClient(client)) {
      throw new TypeError('RedisRateLimitStore: client must be a node-redis client (with evalSha and eval)');
    }
    const commandTimeout = options.commandTimeout ?? defaultCommandTimeout;
    if (!(Number.isFinite(commandTimeout) && commandTimeout >= 1 && commandTimeout <= longestTimerMs)) {
      throw new RangeError(`commandTimeout must be 1 to ${longestTimerMs} milliseconds, got ${commandTimeout}`);
    }
    const whenUnavailable = options.whenUnavailable ?? 'in-process';
    if (whenUnavailable !== 'in-process' && whenUnavailable !== 'fail') {
      throw new RangeError(`whenUnavailable must be 'in-process' or 'fail', got ${String(whenUnavailable)}`);
    }
    this.#keyPrefix = options.keyPrefix ?? defaultKeyPrefix;
    if (typeof this.#keyPrefix !== 'string') throw new TypeError('keyPrefix must be a string');
    this.#whenUnavailable = whenUnavailable;
    const onStatus = options.onStatus ?? ((status) => warnStatus(status, whenUnavailable));
    this.#connection = new RedisConnection({
      url: options.url,
      client: options.client,
      commandTimeout,
      onStatus: (status) => {
        // Calls waiting on Redis go on (or fail) now, not when their sleep ends.
        if (!status.available) for (const queue of this.#queues.values()) queue.wake();
        onStatus(status);
      },
    });
    this.#connection.start();
  }

  /** See RateLimitStore.acquire. Rejects with a RateLimitStoreError once closed. */
  async acquire(key: string, perSecond: number, options: RateLimitAcquireOptions): Promise<RateLimitGrant> {
    if (this.#closed) throw closedError();
    const local = await processRateLimitStore.acquire(key, perSecond, options);
    const trouble = this.#closed ? closedError() : this.#connection.trouble;
    if (trouble !== undefined) {
      if (this.#whenUnavailable === 'in-process' && !this.#closed) return local;
      local.cancel();
      throw trouble;
    }
    if (options.signal?.aborted) {
      local.cancel();
      throw options.signal.reason;
    }
    return new Promise<RateLimitGrant>((resolve, reject) => {
      this.#queueFor(key).add({ perSecond, timeout: options.timeout, local, signal: options.signal, resolve, reject });
    });
  }

  /** See RateLimitStore.saturate: the pause holds in this process at once, and in
   * every other one as soon as Redis has it. */
  saturate(key: string): void {
    processRateLimitStore.saturate(key);
    if (!this.#connection.available) return;
    this.#connection.run(scripts.pause, [this.#keys(key).pause], []).catch(() => {});
  }

  /** Fails the calls waiting on Redis ("the store is closed", their place in the
   * process's queue given back) and closes the client the store made from `url`
   * (a client you gave stays open). Calls made afterwards fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const queue of this.#queues.values()) queue.closeAll(closedError());
    this.#queues.clear();
    await this.#connection.close();
  }

  /** What printing the store shows: its settings and state, never a password. */
  toJSON(): Record<string, unknown> {
    return {
      store: 'RedisRateLimitStore',
      keyPrefix: this.#keyPrefix,
      whenUnavailable: this.#whenUnavailable,
      closed: this.#closed,
      ...this.#connection.describe(),
    };
  }

  /** @internal `util.inspect.custom`, through the registered symbol. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: InspectOptions,
    inspect: (value: unknown, options: InspectOptions) => string,
  ): string {
    const { store, ...rest } = this.toJSON();
    return `${String(store)} ${inspect(rest, options)}`;
  }

  #queueFor(key: string): TokenQueue {
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      const keys = this.#keys(key);
      const created = new TokenQueue({
        windowKey: keys.window,
        pauseKey: keys.pause,
        connection: this.#connection,
        whenUnavailable: this.#whenUnavailable,
        newId: () => `${this.#tag}.${(this.#serial += 1).toString(36)}`,
        onIdle: () => {
          if (this.#queues.get(key) === created && created.idle) this.#queues.delete(key);
        },
        onGrantChanged: () => this.#queues.get(key)?.wake(),
      });
      queue = created;
      this.#queues.set(key, queue);
    }
    return queue;
  }

  #keys(key: string): { window: string; pause: string } {
    // The braces make both keys one hash slot, as a script's keys must be on a cluster.
    const window = `${this.#keyPrefix}{${key}}`;
    return { window, pause: `${window}:pause` };
  }
}

function closedError(): RateLimitStoreError {
  return new RateLimitStoreError('the store is closed');
}

function checkUrl(url: unknown): void {
  let protocol: string | undefined;
  try {
    protocol = typeof url === 'string' ? new URL(url).protocol : undefined;
  } catch {
    protocol = undefined;
  }
  // The URL may hold a password: the message does not quote it.
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new RangeError('RedisRateLimitStore: url must be a redis:// or rediss:// URL');
  }
}

function isScriptClient(client: unknown): client is RedisScriptClient {
  const candidate = client as Partial<RedisScriptClient> | null;
  return typeof candidate?.evalSha === 'function' && typeof candidate.eval === 'function';
}

function warnStatus(status: RedisStoreStatus, whenUnavailable: 'in-process' | 'fail'): void {
  if (status.available) {
    console.warn('vk-typed: the Redis rate limit store is available again');
    return;
  }
  const meanwhile =
    whenUnavailable === 'in-process'
      ? "calls go on under each process's own rate limiter until Redis is back"
      : 'calls fail until Redis is back';
  console.warn(`vk-typed: ${status.error.message}; ${meanwhile}`);
}
