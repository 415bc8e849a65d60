// A fake long poll server on the fake VK API (fake-vk.ts), for the Bots and
// the User Long Poll: `groups.getLongPollServer` / `messages.getLongPollServer` give
// a key, the `a_check` route serves a stream of events kept in memory the way VK
// does (from a ts, at most `batch` a reply, empty after `idleReply` ms), and
// `messages.getLongPollHistory` serves it again from a pts. Faults on demand, one
// per `a_check` request: `failed` codes, HTTP statuses, resets, hangs, slow replies.

import type { GroupEvent } from '../../generated/events.js';
import { startFakeVk, type FakeVk } from './fake-vk.js';
import { DropConnection, FakeApiError, json, RawReply, type RecordedRequest } from './replies.js';

/** What an `a_check` request can meet instead of its normal reply. */
export type PollFault =
  /** VK's `failed` reply: 1 skips to the current ts (events are lost), 2 and 3 expire the key. */
  | { failed: 1 | 2 | 3 | 4 }
  /** An HTTP error status with a text body. */
  | { status: number }
  /** The connection dropped without a reply. */
  | 'reset'
  /** No reply until the client gives up (or the server closes). */
  | 'hang'
  /** The normal reply, `delay` ms late. */
  | { delay: number }
  /** A body as it stands (not VK's JSON). */
  | { body: string };

export interface FakeLongPollOptions {
  /** The fake VK to serve on (its owner closes it); default: one of its own, closed
   * with the long poll. */
  vk?: FakeVk;
  /** `bots` (default): string ts, `updates` as given. `user`: integer ts and `pts`. */
  kind?: 'bots' | 'user';
  /** The most events in one reply (default 100). */
  batch?: number;
  /** Milliseconds a request with no event waits before the empty reply (default 200),
   * standing in for VK's `wait` seconds. */
  idleReply?: number;
  /** Accepted access tokens of the fake VK it starts (any non-empty one when left out). */
  tokens?: readonly string[];
}

/** An `a_check` request, as received. */
export interface PollCheck {
  key: string;
  ts: string;
  wait: string;
  query: Readonly<Record<string, string>>;
}

/** A fake long poll server (see `startFakeLongPoll()`). */
export interface FakeLongPoll extends AsyncDisposable {
  /** The fake VK it serves on: point sessions' `apiBaseUrl` at `vk.apiBaseUrl`. */
  readonly vk: FakeVk;
  /** Appends events to the stream (objects for `bots`, arrays for `user`). */
  push(...updates: unknown[]): void;
  /** Queues faults: each answers one `a_check` request, in order. */
  fault(...faults: PollFault[]): void;
  /** Expires every key given so far: the next `a_check` gets `failed: 2`. */
  expireKeys(): void;
  /** The ts `getLongPollServer` gives; default: the start of the stream. */
  connectTs: () => number;
  /** The ts of the next event to be pushed. */
  readonly currentTs: number;
  /** Every `a_check` request received, in order. */
  readonly checks: readonly PollCheck[];
  /** `getLongPollServer` calls. */
  readonly connects: number;
  /** `messages.getLongPollHistory` calls, with their pts. */
  readonly historyCalls: readonly number[];
  /** Ends the requests waiting for events; closes the fake VK it started. */
  close(): Promise<void>;
}

/**
 * Serves the Bots Long Poll (`kind: 'bots'`, `groups.getLongPollServer`) or the User
 * Long Poll (`kind: 'user'`, `messages.getLongPollServer` and
 * `messages.getLongPollHistory`) on a fake VK: events pushed with `push()` reach a
 * `BotsLongPoll` or `UserLongPoll` of a session pointed at `vk.apiBaseUrl`.
 */
export async function startFakeLongPoll(options: FakeLongPollOptions = {}): Promise<FakeLongPoll> {
  const kind = options.kind ?? 'bots';
  const batch = options.batch ?? 100;
  const idleReply = options.idleReply ?? 200;
  const vk = options.vk ?? (await startFakeVk(options.tokens === undefined ? {} : { tokens: options.tokens }));
  const events: unknown[] = [];
  const faults: PollFault[] = [];
  const checks: PollCheck[] = [];
  const historyCalls: number[] = [];
  const validKeys = new Set<string>();
  let waiters: (() => void)[] = [];
  const hung: (() => void)[] = [];
  let connects = 0;
  const firstTs = 1;
  const currentTs = () => firstTs + events.length;
  const tsValue = (ts: number) => (kind === 'bots' ? String(ts) : ts);

  const connect = () => {
    connects += 1;
    const key = `key${connects}_${'k'.repeat(24)}`;
    validKeys.add(key);
    const server = `${vk.url}/lp/${kind}`;
    const ts = fake.connectTs();
    return kind === 'bots' ? { key, server, ts: tsValue(ts) } : { key, server, ts, pts: ts };
  };
  vk.reply('groups.getLongPollServer', connect);
  vk.reply('messages.getLongPollServer', connect);
  vk.reply('messages.getLongPollHistory', (params) => {
    const pts = Number(params['pts']);
    historyCalls.push(pts);
    if (!(pts >= firstTs)) return new FakeApiError({ error_code: 907, error_msg: 'Value of ts or pts is too old' });
    const history = events.slice(pts - firstTs, pts - firstTs + batch) as unknown[][];
    const newPts = pts + history.length;
    const items = history.filter((raw) => raw[0] === 4).map((raw) => ({ id: raw[1], peer_id: raw[3], date: raw[4], text: raw[5], from_id: raw[3] }));
    return { history: history.map((raw) => raw.slice(0, 4)), messages: { count: items.length, items }, new_pts: newPts, more: newPts < currentTs() };
  });

  const reply = (ts: number) => {
    const from = ts - firstTs;
    const updates = events.slice(from, from + batch);
    const next = ts + updates.length;
    return json(kind === 'bots' ? { ts: tsValue(next), updates } : { ts: next, pts: next, updates });
  };

  const answer = async (request: RecordedRequest): Promise<RawReply> => {
    const { key = '', ts = '', wait = '', ...query } = request.query;
    checks.push({ key, ts, wait, query });
    const fault = faults.shift();
    if (fault === 'reset') throw new DropConnection();
    if (fault === 'hang') {
      await new Promise<void>((resolve) => hung.push(resolve));
      throw new DropConnection();
    }
    if (fault !== undefined && 'status' in fault) return new RawReply(fault.status, `fake long poll: HTTP ${fault.status}`);
    if (fault !== undefined && 'body' in fault) return new RawReply(200, fault.body);
    if (fault !== undefined && 'failed' in fault) {
      if (fault.failed === 1) return json({ failed: 1, ts: tsValue(currentTs()) });
      if (fault.failed === 4) return json({ failed: 4, min_version: 0, max_version: 3 });
      validKeys.delete(key);
      return json({ failed: fault.failed });
    }
    if (fault !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delay));
    if (!validKeys.has(key)) return json({ failed: 2 });
    const from = Number(ts);
    if (!(Number.isInteger(from) && from >= firstTs)) return json({ failed: 1, ts: tsValue(currentTs()) });
    if (from < currentTs()) return reply(from);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, idleReply);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      waiters.push(done);
    });
    return reply(from);
  };
  vk.route(/^\/lp\/(bots|user)$/, answer);

  const close = async () => {
    for (const release of hung.splice(0)) release();
    for (const wake of waiters.splice(0)) wake();
    if (options.vk === undefined) await vk.close();
  };

  const fake: FakeLongPoll = {
    vk,
    push(...updates) {
      events.push(...updates);
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    fault(...more) {
      faults.push(...more);
    },
    expireKeys() {
      validKeys.clear();
    },
    connectTs: () => firstTs,
    get currentTs() {
      return currentTs();
    },
    checks,
    get connects() {
      return connects;
    },
    historyCalls,
    close,
    [Symbol.asyncDispose]: close,
  };
  return fake;
}

let lastEventId = 0;

/** A `message_new` event of community `groupId` as VK sends it (API 5.103 and later:
 * `{ message, client_info }`), the message's required fields filled in. */
export function messageNewEvent(
  message: { readonly peer_id: number; readonly text: string; readonly from_id?: number; readonly id?: number },
  groupId = 1,
): GroupEvent {
  lastEventId += 1;
  return {
    type: 'message_new',
    group_id: groupId,
    event_id: `fake-event-${lastEventId}`,
    v: '5.199',
    object: {
      message: {
        id: message.id ?? lastEventId,
        date: Math.floor(Date.now() / 1000),
        peer_id: message.peer_id,
        from_id: message.from_id ?? message.peer_id,
        text: message.text,
        conversation_message_id: lastEventId,
        out: 0,
        attachments: [],
        fwd_messages: [],
        important: false,
        is_hidden: false,
      },
      client_info: {
        button_actions: ['text'],
        keyboard: true,
        inline_keyboard: true,
        carousel: true,
        lang_id: 0,
      },
    },
  };
}
