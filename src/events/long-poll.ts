// The loop both long polls share (Bots Long Poll, User Long Poll), as VK documents
// it: a server, key and ts from `*.getLongPollServer`, then `a_check` requests, each
// from the ts the last reply gave. What can go wrong, and what the loop does:
//   - `failed: 1`: events may be lost; go on from the new ts (the caller hears of the gap);
//   - `failed: 2`: the key expired; a new key, the same ts;
//   - `failed: 3`: the session is lost; a new key and ts (the caller hears of the gap);
//   - a network error, HTTP 5xx, a reply that is not VK's: the same request again,
//     after a backoff; after a few in a row, a new server and key, the same ts;
//   - no reply for `reconnectAfter` (a connection that died silently): a new server
//     and key, the same ts;
//   - `failed` replies, or empty replies well before `wait`, again and again: a
//     backoff before each, so that no server can make the loop spin.
// Nothing ends the loop but its signal and fatal errors: a VK error from
// `getLongPollServer` other than 6/9/10 (an invalid token, long poll turned off), a
// closed session. Every wait listens to the signal.

import type { Dispatcher } from 'undici';
import { ApiError, TimeoutError, TransportError } from '../core/errors.js';
import { longestTimerMs } from '../core/timers.js';
import { backoffDelay, classifyFailure, sleep, type RetryPolicy } from '../pipeline/retry.js';
import { requestLongPoll } from './long-poll-request.js';

/** What `*.getLongPollServer` answers: the server (with or without its scheme), the key, the first ts. */
export interface LongPollServer {
  server: string;
  key: string;
  ts: string;
}

export interface LongPollProtocol {
  /** A new server and key (`groups.getLongPollServer`, `messages.getLongPollServer`). */
  connect(signal: AbortSignal): Promise<LongPollServer>;
  /** Query params besides `act`, `key`, `ts` and `wait` (the User Long Poll's `mode` and `version`). */
  readonly query: Readonly<Record<string, string>>;
  /** For a `failed` code other than 1, 2 and 3: the error to end the loop with, or
   * undefined to start afresh as after `failed: 3`. */
  failure?(reply: Readonly<Record<string, unknown>>): Error | undefined;
}

export interface LongPollTiming {
  /** Seconds the server holds a request open when it has no event (VK's `wait`, 1 to 90). */
  wait: number;
  /** Milliseconds without a reply after which the connection is taken for dead. */
  reconnectAfter: number;
  /** Backoff between retries (full jitter), in ms. */
  retryDelay: { initial: number; max: number };
}

export interface LongPollTimingOptions {
  /** Seconds VK holds a request open when it has no event, 1 to 90; default 25, as
   * VK recommends (some proxies cut connections after 30 s). */
  wait?: number;
  /** Milliseconds without a reply after which the connection is taken for dead and
   * the poll reconnects (a new key, the same `ts`); more than `wait`. Default: three
   * `wait` periods. */
  reconnectAfter?: number;
  /** Backoff after a network error, a 5xx, or a `failed` reply in a row, in ms (full
   * jitter): retry n waits up to `min(max, initial * 2^n)`. Default `{ initial: 500, max: 30000 }`.
   * The poll never gives up on such errors: an outage of hours is waited out. */
  retryDelay?: { initial?: number; max?: number };
}

/** Retries in a row before the server itself is suspected: a new server and key. */
const failuresBeforeReconnect = 3;

/** The options, checked: bad ones throw before anything is sent. */
export function longPollTiming(options: LongPollTimingOptions): LongPollTiming {
  const wait = options.wait ?? 25;
  if (!(Number.isInteger(wait) && wait >= 1 && wait <= 90)) throw new RangeError(`wait must be a whole number of seconds from 1 to 90, got ${wait}`);
  const reconnectAfter = options.reconnectAfter ?? 3 * wait * 1000;
  if (!(Number.isFinite(reconnectAfter) && reconnectAfter > wait * 1000 && reconnectAfter <= longestTimerMs)) {
    throw new RangeError(`reconnectAfter must be more than wait (${wait * 1000} ms) and at most ${longestTimerMs} ms, got ${reconnectAfter}`);
  }
  const initial = options.retryDelay?.initial ?? 500;
  const max = options.retryDelay?.max ?? 30_000;
  if (!(Number.isFinite(initial) && initial >= 0 && Number.isFinite(max) && max >= initial && max <= longestTimerMs)) {
    throw new RangeError(`retryDelay must have 0 <= initial <= max <= ${longestTimerMs} ms, got ${initial} and ${max}`);
  }
  return { wait, reconnectAfter, retryDelay: { initial, max } };
}

/** What one turn of the loop brings. */
export type LongPollStep =
  /** A reply's updates, as VK sent them (the ts has moved past them already). */
  | { kind: 'updates'; updates: readonly unknown[]; reply: Readonly<Record<string, unknown>> }
  /** VK said events were lost (`failed` 1 or 3); the loop goes on from a new ts. */
  | { kind: 'gap' };

/** The state of one long poll session across runs: a run stopped and started again
 * goes on from the same ts. */
export class LongPollLoop {
  readonly #protocol: LongPollProtocol;
  readonly #timing: LongPollTiming;
  readonly #dispatcher: () => Dispatcher;
  /** The URL of the next poll but its ts (built once per key), where it points, the key. */
  #session: { url: string; where: string; key: string } | undefined;
  #ts: string | undefined;

  constructor(protocol: LongPollProtocol, timing: LongPollTiming, dispatcher: () => Dispatcher) {
    this.#protocol = protocol;
    this.#timing = timing;
    this.#dispatcher = dispatcher;
  }

  /** The ts the next request asks from (undefined before the first connection). */
  get ts(): string | undefined {
    return this.#ts;
  }

  /** Steps until `signal` aborts (then it returns) or a fatal error (thrown). */
  async *run(signal: AbortSignal): AsyncGenerator<LongPollStep, void, undefined> {
    let failures = 0; // requests in a row that brought no reply
    let setbacks = 0; // replies in a row that were `failed`, or empty and early
    try {
      while (!signal.aborted) {
        if (this.#session === undefined) await this.#connect(signal);
        if (setbacks > 1) await sleep(this.#backoff(setbacks - 2), signal);
        let reply: Readonly<Record<string, unknown>>;
        const sent = performance.now();
        try {
          reply = await this.#poll(signal);
        } catch (error) {
          if (signal.aborted || !(error instanceof TransportError)) throw error;
          failures += 1;
          // A silent connection, or a server failing again and again: ask for another.
          const silent = error instanceof TimeoutError;
          if (silent || failures % failuresBeforeReconnect === 0) this.#session = undefined;
          if (!silent) await sleep(this.#backoff(failures - 1), signal);
          continue;
        }
        failures = 0;
        if (reply['failed'] === undefined) {
          // VK answers early only with events: empty replies coming back at once, again
          // and again, would make the loop spin, so they count as setbacks.
          const early = performance.now() - sent < (this.#timing.wait * 1000) / 2;
          setbacks = early && (reply['updates'] as unknown[]).length === 0 ? setbacks + 1 : 0;
          this.#ts = String(reply['ts']);
          yield { kind: 'updates', updates: reply['updates'] as unknown[], reply };
          continue;
        }
        setbacks += 1;
        const gap = await this.#recover(reply, signal);
        if (gap) yield { kind: 'gap' };
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  /** Handles a `failed` reply; true when events may have been lost. */
  async #recover(reply: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<boolean> {
    const failed = reply['failed'];
    if (failed === 1 && isTs(reply['ts'])) {
      this.#ts = String(reply['ts']);
      return true;
    }
    if (failed === 2) {
      this.#session = undefined;
      return false;
    }
    const fatal = failed === 3 ? undefined : this.#protocol.failure?.(reply);
    if (fatal !== undefined) throw fatal;
    // A new session at once, before the caller catches up: events from now on come
    // from the new ts, so that none falls between the catch-up and the poll.
    this.#session = undefined;
    this.#ts = undefined;
    await this.#connect(signal);
    return true;
  }

  async #poll(signal: AbortSignal): Promise<Readonly<Record<string, unknown>>> {
    const { url, where, key } = this.#session!;
    const reply = await requestLongPoll({
      dispatcher: this.#dispatcher(),
      url: `${url}&ts=${encodeURIComponent(this.#ts!)}`,
      where,
      timeout: this.#timing.reconnectAfter,
      signal,
      secrets: [key],
    });
    if (!isRecord(reply) || (reply['failed'] === undefined && !(Array.isArray(reply['updates']) && isTs(reply['ts'])))) {
      throw new TransportError(`the long poll server sent a reply that is neither updates nor failed`);
    }
    return reply;
  }

  /** A new server and key; the ts too when there is none. Transient errors are waited out. */
  async #connect(signal: AbortSignal): Promise<void> {
    for (let retry = 0; ; retry += 1) {
      try {
        const { server, key, ts } = await this.#protocol.connect(signal);
        const url = serverUrl(server);
        const params = { act: 'a_check', key, wait: String(this.#timing.wait), ...this.#protocol.query };
        for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
        this.#session = { url: url.href, where: `${url.host}${url.pathname}`, key };
        this.#ts ??= ts;
        return;
      } catch (error) {
        if (signal.aborted || !isTransient(error)) throw error;
        await sleep(this.#backoff(retry), signal);
      }
    }
  }

  #backoff(retry: number): number {
    const policy: RetryPolicy = { maxRetries: Infinity, initialDelay: this.#timing.retryDelay.initial, maxDelay: this.#timing.retryDelay.max };
    return backoffDelay(retry, policy);
  }
}

/** Worth trying again later: no reply, a 5xx, VK's errors 6, 9 and 10. */
function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return classifyFailure(error) === 'not-run';
  return error instanceof TransportError;
}

/** VK gives the User Long Poll's server without its scheme (`im.vk.com/nim1`), the Bots Long Poll's with it. */
function serverUrl(server: string): URL {
  try {
    return new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(server) ? server : `https://${server}`);
  } catch {
    throw new TransportError('getLongPollServer gave a server that is not a URL');
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTs(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || Number.isSafeInteger(value);
}
