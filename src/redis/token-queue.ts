// The calls of this process waiting for one token's window in Redis. Each already
// holds a grant of the in-process limiter: the process's own requests are counted
// there too, so that if Redis fails the limiter carries on with the right history.
// One script run at a time asks Redis for as many grants as calls wait (first come,
// first served); when the window is full, the queue sleeps until Redis says a grant
// may be possible, or until a grant of this process changes (written, done, given
// back), whichever comes first.

import type { RateLimitGrant } from '../pipeline/rate-limit-store.js';
import type { RedisConnection } from './redis-connection.js';
import { RateLimitStoreError } from './store-error.js';
import { acquireReply, scripts, type AcquireReply, type GrantUpdate } from './window-scripts.js';

/**
 * How soon to ask again when a grant not yet written holds the window (its free
 * time is unknown until it is written). A grant frees its place a full second after
 * its write at the earliest, so asking at this pace never leaves the token idle;
 * grants of this process wake the queue at once when written or given back.
 */
const unknownWaitPollMs = 100;

export interface Waiter {
  readonly perSecond: number;
  /** The request's timeout: how long a grant may wait to be written. */
  readonly timeout: number;
  /** The in-process limiter's grant the call holds. */
  readonly local: RateLimitGrant;
  readonly signal: AbortSignal | undefined;
  resolve(grant: RateLimitGrant): void;
  reject(error: unknown): void;
}

interface Entry extends Waiter {
  onAbort: (() => void) | undefined;
}

export interface TokenQueueOptions {
  readonly windowKey: string;
  readonly pauseKey: string;
  readonly connection: RedisConnection;
  /** What a waiting call gets when Redis is unavailable: its in-process grant, or the error. */
  readonly whenUnavailable: 'in-process' | 'fail';
  readonly newId: () => string;
  /** Nothing waits any more: the store may drop the queue. */
  readonly onIdle: () => void;
  /** Redis heard what became of a grant of this process on the token: the token's
   * queue (this one, or a later one if this was dropped) asks again. */
  readonly onGrantChanged: () => void;
}

export class TokenQueue {
  readonly #options: TokenQueueOptions;
  readonly #waiting: Entry[] = [];
  #pumping = false;
  /** Ends the current sleep early. */
  #wake: (() => void) | undefined;
  /** Woken while a script ran: what it answered may be stale, so the next sleep is skipped. */
  #woken = false;

  constructor(options: TokenQueueOptions) {
    this.#options = options;
  }

  get idle(): boolean {
    return this.#waiting.length === 0 && !this.#pumping;
  }

  add(waiter: Waiter): void {
    const entry: Entry = { ...waiter, onAbort: undefined };
    if (waiter.signal !== undefined) {
      const signal = waiter.signal;
      entry.onAbort = () => {
        if (!this.#remove(entry)) return;
        entry.local.cancel();
        entry.reject(signal.reason);
        this.wake();
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    this.#waiting.push(entry);
    void this.#pump();
  }

  /** Something changed (a grant of this process, Redis's availability): ask again now. */
  wake(): void {
    if (this.#wake !== undefined) this.#wake();
    else this.#woken = true;
  }

  /** The store closes: every waiting call fails with `error`, giving back its in-process grant. */
  closeAll(error: RateLimitStoreError): void {
    for (const entry of this.#waiting.splice(0)) this.#fail(entry, error);
    this.wake();
  }

  /** Tells Redis what became of a grant of this process, then looks again. */
  update(kind: GrantUpdate, id: string): void {
    const { connection, windowKey } = this.#options;
    connection.run(scripts.update, [windowKey], [kind, id]).then(
      () => this.#options.onGrantChanged(),
      // Redis is now marked unavailable; the grant leaves the window with its lease.
      () => {},
    );
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiting.length > 0) {
        if (!this.#options.connection.available) {
          this.#fallBack();
          break;
        }
        await this.#ask();
      }
    } catch (error) {
      // Not Redis's trouble (that falls back above) but ours: no call is left waiting on it.
      const failure = new RateLimitStoreError('the store failed', { cause: error });
      for (const entry of this.#waiting.splice(0)) this.#fail(entry, failure);
    } finally {
      this.#pumping = false;
      if (this.#waiting.length === 0) this.#options.onIdle();
    }
  }

  /** One script run: grants for the calls at the head, then a sleep if the window is full. */
  async #ask(): Promise<void> {
    const { connection, windowKey, pauseKey, newId } = this.#options;
    // First come, first served: a grant under the head's limit also serves the calls
    // behind it whose limit is as high or higher.
    const perSecond = this.#waiting[0]!.perSecond;
    const asking: Entry[] = [];
    for (const entry of this.#waiting) {
      if (entry.perSecond < perSecond || asking.length === perSecond) break;
      asking.push(entry);
    }
    const ids = asking.map(() => newId());
    const timeouts = asking.map((entry) => entry.timeout);
    const timeLimit = Math.min(...timeouts);
    this.#woken = false;
    let reply: AcquireReply;
    try {
      reply = await connection.run(
        scripts.acquire,
        [windowKey, pauseKey],
        [String(perSecond), String(Math.max(...timeouts)), String(connection.deadline(timeLimit)), ...ids],
        {
          timeLimit,
          read: (raw) => {
            const read = acquireReply(raw);
            if (read.granted < 0) throw new RateLimitStoreError(`Redis did not answer within ${timeLimit} ms`);
            connection.sawClock(read.now);
            return read;
          },
          // The run gave up (and the calls went on without Redis): what it granted goes back.
          late: (raw) => {
            const granted = safeGranted(raw);
            for (const id of ids.slice(0, granted)) this.update('cancel', id);
          },
        },
      );
    } catch {
      // Redis is now marked unavailable: the pump falls back.
      return;
    }
    for (const id of ids.slice(0, reply.granted)) {
      const entry = this.#waiting[0];
      // The calls asked for may have left (aborted) meanwhile: a grant goes to the next call it may serve, or back.
      if (entry === undefined || entry.perSecond < perSecond) {
        this.update('cancel', id);
        continue;
      }
      this.#remove(entry);
      entry.resolve(new RemoteGrant(this, entry.local, id));
    }
    if (reply.granted < ids.length) await this.#sleep(reply.wait < 0 ? unknownWaitPollMs : reply.wait);
  }

  /** Redis is unavailable: each waiting call goes on under its in-process grant, or fails. */
  #fallBack(): void {
    const trouble = this.#options.connection.trouble ?? new RateLimitStoreError('Redis is unavailable');
    for (const entry of this.#waiting.splice(0)) {
      if (this.#options.whenUnavailable === 'fail') this.#fail(entry, trouble);
      else {
        this.#detach(entry);
        entry.resolve(entry.local);
      }
    }
  }

  #fail(entry: Entry, error: RateLimitStoreError): void {
    this.#detach(entry);
    entry.local.cancel();
    entry.reject(error);
  }

  #remove(entry: Entry): boolean {
    const index = this.#waiting.indexOf(entry);
    if (index < 0) return false;
    this.#waiting.splice(index, 1);
    this.#detach(entry);
    return true;
  }

  #detach(entry: Entry): void {
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

/** A grant held in Redis and in the in-process limiter alike: both hear what became of it. */
class RemoteGrant implements RateLimitGrant {
  readonly #queue: TokenQueue;
  readonly #local: RateLimitGrant;
  readonly #id: string;

  constructor(queue: TokenQueue, local: RateLimitGrant, id: string) {
    this.#queue = queue;
    this.#local = local;
    this.#id = id;
  }

  written(): void {
    this.#local.written();
    this.#queue.update('written', this.#id);
  }

  done(): void {
    this.#local.done();
    this.#queue.update('done', this.#id);
  }

  cancel(): void {
    this.#local.cancel();
    this.#queue.update('cancel', this.#id);
  }
}

function safeGranted(raw: unknown): number {
  try {
    return Math.max(0, acquireReply(raw).granted);
  } catch {
    return 0;
  }
}
