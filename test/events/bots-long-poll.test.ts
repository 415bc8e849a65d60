// BotsLongPoll against the fake long poll server: every `failed` code, resets, 502s
// and slow replies with nothing lost or repeated, repeated event ids, stop() while a
// request is pending, 10,000 events in order, handlers, fatal errors.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Agent } from 'undici';
import { ApiError, type APIOptions } from '../../src/index.js';
import { BotsLongPoll, type BotsLongPollOptions } from '../../src/events/bots-long-poll.js';
import type { GroupEvent } from '../../generated/events.js';
import { SeenIds } from '../../src/events/seen-ids.js';
import { startFakeLongPoll, type FakeLongPoll, type FakeLongPollOptions } from '../../src/testing/long-poll.js';
import { RawReply } from '../../src/testing/fake-vk.js';
import { TestClients } from '../support/clients.js';
import { rejection } from '../support/rejection.js';

let fake: FakeLongPoll;
const clients = new TestClients(() => ({ accessToken: 'token', apiBaseUrl: fake.vk.apiBaseUrl }));
const fast = { wait: 1, retryDelay: { initial: 1, max: 5 } } as const;

async function start(options: FakeLongPollOptions = {}): Promise<void> {
  fake = await startFakeLongPoll({ idleReply: 30, ...options });
}

afterEach(async () => {
  await clients.closeAll();
  await fake.close();
});

function message(n: number, extra: Partial<GroupEvent> = {}): object {
  return {
    type: 'message_new',
    object: { message: { id: n, date: 1, peer_id: 1, from_id: 1, text: `text ${n}`, conversation_message_id: n, out: 0, attachments: [], fwd_messages: [], important: false, is_hidden: false }, client_info: {} },
    group_id: 1,
    event_id: `event${n}`,
    v: '5.199',
    ...extra,
  };
}

function poll(options: Partial<BotsLongPollOptions> = {}, apiOptions: APIOptions = {}): BotsLongPoll {
  return new BotsLongPoll(clients.client(apiOptions), { groupId: 1, ...fast, ...options });
}

/** The first `count` events, then the loop is left (which stops the poll). */
async function take(source: AsyncIterable<GroupEvent>, count: number): Promise<GroupEvent[]> {
  const events: GroupEvent[] = [];
  if (count === 0) return events;
  for await (const event of source) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

const ids = (events: readonly GroupEvent[]) => events.map((event) => event.event_id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the protocol', () => {
  beforeEach(() => start());

  test('gets key, server and ts from groups.getLongPollServer, then polls a_check from each reply ts', async () => {
    fake.push(message(1), message(2));
    const events = await take(poll(), 2);
    assert.deepEqual(ids(events), ['event1', 'event2']);
    const server = fake.vk.requests.find((request) => request.path === '/method/groups.getLongPollServer');
    assert.equal(server?.params['group_id'], '1');
    assert.deepEqual(fake.checks[0], { key: 'key1_' + 'k'.repeat(24), ts: '1', wait: '1', query: { act: 'a_check' } });
    assert.equal(events[0]!.type, 'message_new');
  });

  test('10,000 events arrive in order, once each', async () => {
    for (let n = 1; n <= 10_000; n += 1) fake.push(message(n));
    const events = await take(poll(), 10_000);
    assert.deepEqual(ids(events), range(1, 10_000).map((n) => `event${n}`));
    assert.equal(fake.checks.length, 100);
  });

  test('failed: 1 goes on from the ts in the reply, with the same key', async () => {
    fake.push(message(1), message(2));
    fake.fault({ failed: 1 });
    const source = poll();
    const pending = take(source, 1);
    while (fake.checks.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.push(message(3));
    const events = await pending;
    // VK documents failed: 1 as "events may be lost": those before the new ts are.
    assert.deepEqual(ids(events), ['event3']);
    assert.equal(fake.connects, 1);
    assert.equal(fake.checks[1]!.ts, '3');
    assert.equal(fake.checks[1]!.key, fake.checks[0]!.key);
  });

  test('failed: 2 gets a new key and keeps the ts: nothing is lost', async () => {
    fake.push(message(1), message(2));
    fake.fault({ failed: 2 });
    const events = await take(poll(), 2);
    assert.deepEqual(ids(events), ['event1', 'event2']);
    assert.equal(fake.connects, 2);
    assert.equal(fake.checks[1]!.ts, fake.checks[0]!.ts);
    assert.notEqual(fake.checks[1]!.key, fake.checks[0]!.key);
  });

  test('an expired key (failed: 2 from the server) is replaced as well', async () => {
    fake.push(message(1));
    const source = poll();
    assert.deepEqual(ids(await take(source, 1)), ['event1']);
    fake.expireKeys();
    fake.push(message(2));
    assert.deepEqual(ids(await take(source, 1)), ['event2']);
    assert.equal(fake.connects, 2);
  });

  test('failed: 3 gets a new key and a new ts', async () => {
    fake.push(message(1), message(2));
    fake.fault({ failed: 3 });
    fake.connectTs = () => fake.currentTs;
    const source = poll();
    const pending = take(source, 1);
    while (fake.connects < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.push(message(3));
    assert.deepEqual(ids(await pending), ['event3']);
    const after = fake.checks.at(-1)!;
    assert.equal(after.ts, '3');
    assert.notEqual(after.key, fake.checks[0]!.key);
  });

  test('resets, 502s, 503s and slow replies: every event once, in order, each retry from the same ts', async () => {
    await fake.close();
    await start({ batch: 7 });
    for (let n = 1; n <= 300; n += 1) fake.push(message(n));
    fake.fault('reset', { status: 502 }, { delay: 40 }, { status: 503 }, 'reset', { body: '<html>bad gateway</html>' }, { delay: 20 }, { status: 500 });
    const events = await take(poll(), 300);
    assert.deepEqual(ids(events), range(1, 300).map((n) => `event${n}`));
    // The first 8 requests met faults; the 6 that brought nothing were repeated from the same ts.
    const asked = fake.checks.map((check) => check.ts);
    assert.deepEqual(asked.slice(0, 9), ['1', '1', '1', '8', '8', '8', '8', '15', '15']);
  });

  test('an event VK sends again (the same event_id) is delivered once', async () => {
    fake.push(message(1), message(2), message(1), message(3), message(2), message(3));
    fake.push(message(4));
    assert.deepEqual(ids(await take(poll(), 4)), ['event1', 'event2', 'event3', 'event4']);
  });

  test('the memory of seen ids is bounded: the oldest are forgotten', async () => {
    const seen = new SeenIds(3);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'c', 'f']) seen.add(id);
    assert.equal(seen.size, 3);
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f'].filter((id) => seen.has(id)), ['d', 'e', 'f']);
    assert.throws(() => new SeenIds(0), RangeError);
    // With room for 2 ids, an id repeated after 2 others is no longer known.
    fake.push(message(1), message(2), message(3), message(1));
    assert.deepEqual(ids(await take(poll({ rememberEvents: 2 }), 4)), ['event1', 'event2', 'event3', 'event1']);
  });

  test('events without an event_id (old API versions) are all delivered', async () => {
    fake.push({ type: 'group_join', object: { user_id: 1, join_type: 'join' }, group_id: 1, v: '5.80' });
    fake.push({ type: 'group_join', object: { user_id: 1, join_type: 'join' }, group_id: 1, v: '5.80' });
    assert.equal((await take(poll(), 2)).length, 2);
  });
});

describe('events', () => {
  beforeEach(() => start());

  test('message_new of API versions before 5.103 (the message itself) comes as { message }', async () => {
    fake.push({ type: 'message_new', object: { id: 7, text: 'old', peer_id: 1, date: 1, from_id: 1 }, group_id: 1, event_id: 'old1', v: '5.80' });
    const [event] = await take(poll(), 1);
    assert.ok(event?.type === 'message_new');
    assert.equal(event.object.message.text, 'old');
  });

  test('an event type the SDK does not know comes through as it is, never dropped', async () => {
    const brandNew = { type: 'brand_new_event', object: { anything: [1, 2] }, group_id: 1, event_id: 'n1', v: '5.199' };
    fake.push(brandNew, message(2), 'not an event', { no: 'type' });
    const events = await take(poll(), 2);
    assert.deepEqual(events[0], brandNew);
    assert.equal(events[1]!.event_id, 'event2');
  });
});

describe('stop, handlers, health', () => {
  test('stop() ends a for await loop while a long poll request is pending', { timeout: 10_000 }, async () => {
    await start({ idleReply: 60_000 });
    const source = poll({ wait: 25 });
    const seen: GroupEvent[] = [];
    const loop = (async () => {
      for await (const event of source) seen.push(event);
    })();
    while (fake.checks.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(source.running, true);
    source.stop();
    await loop;
    assert.deepEqual(seen, []);
    assert.equal(source.running, false);
  });

  test('stop() ends start() while a handler runs, and the handler sees its signal abort', { timeout: 10_000 }, async () => {
    await start();
    fake.push(message(1));
    const source = poll();
    let aborted = false;
    source.on('message_new', (_event, signal) => {
      const stopped = new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        }),
      );
      source.stop();
      return stopped;
    });
    await source.start();
    assert.equal(aborted, true);
  });

  test('a run stopped in the middle of a reply delivers the rest of it on the next run, once', async () => {
    await start();
    for (let n = 1; n <= 5; n += 1) fake.push(message(n));
    const source = poll();
    assert.deepEqual(ids(await take(source, 2)), ['event1', 'event2']);
    fake.push(message(6));
    assert.deepEqual(ids(await take(source, 4)), ['event3', 'event4', 'event5', 'event6']);
    assert.equal(fake.connects, 1);
  });

  test('one run at a time', async () => {
    await start({ idleReply: 60_000 });
    const source = poll({ wait: 25 });
    const iterator = source[Symbol.asyncIterator]();
    const first = iterator.next();
    assert.match(((await rejection(iterator.next())) as Error).message, /before the previous call settled/);
    assert.throws(() => source[Symbol.asyncIterator](), /running already/);
    await rejection(source.start());
    await iterator.return!();
    assert.deepEqual(await first, { done: true, value: undefined });
  });

  test('handlers typed per event; onUnknown takes new types; onError keeps the poll going', async () => {
    await start();
    fake.push(message(1), { type: 'group_join', object: { user_id: 5, join_type: 'join' }, group_id: 1, event_id: 'j', v: '5.199' });
    fake.push({ type: 'brand_new', object: {}, group_id: 1, event_id: 'b', v: '5.199' }, message(2));
    const source = poll();
    const seen: string[] = [];
    const failures: unknown[] = [];
    source
      .on('message_new', (event) => {
        seen.push(event.object.message.text);
        if (event.object.message.id === 1) throw new Error('handler failed');
      })
      .on('group_join', (event) => {
        seen.push(`join ${event.object.user_id} ${event.object.join_type}`);
      })
      .onUnknown((event) => {
        seen.push(`unknown ${event.type}`);
      })
      .on('message_new', (event) => {
        seen.push(`second ${event.object.message.id}`);
        if (event.object.message.id === 2) source.stop();
      });
    await source.start({ onError: (error) => failures.push(error) });
    assert.deepEqual(seen, ['text 1', 'join 5 join', 'unknown brand_new', 'text 2', 'second 2']);
    assert.equal((failures[0] as Error).message, 'handler failed');
    assert.throws(() => source.on('mesage_new' as 'message_new', () => {}), TypeError);
  });

  test("without onError, a handler's failure stops the poll and start() rejects with it", async () => {
    await start();
    fake.push(message(1));
    const source = poll().on('message_new', () => {
      throw new Error('boom');
    });
    assert.equal(((await rejection(source.start())) as Error).message, 'boom');
    assert.equal(source.running, false);
  });

  test('a connection silent for reconnectAfter is replaced: a new key, the same ts', { timeout: 10_000 }, async () => {
    await start();
    fake.fault('hang');
    fake.push(message(1));
    const events = await take(poll({ reconnectAfter: 1100 }), 1);
    assert.deepEqual(ids(events), ['event1']);
    assert.equal(fake.connects, 2);
    assert.equal(fake.checks[1]!.ts, fake.checks[0]!.ts);
  });

  test('groups.getLongPollServer failing on the network is retried with backoff', async () => {
    await start();
    let refused = 0;
    fake.vk.gate(async (_request, method, next) => {
      if (method === 'groups.getLongPollServer' && refused < 2) {
        refused += 1;
        return new RawReply(502, 'Bad Gateway');
      }
      return next();
    });
    fake.push(message(1));
    assert.deepEqual(ids(await take(poll(), 1)), ['event1']);
    assert.equal(refused, 2);
  });

  test('an invalid token is an ApiError thrown from the loop', async () => {
    await fake?.close().catch(() => {});
    await start({ tokens: ['good'] });
    const error = await rejection(take(poll({}, { accessToken: 'bad' }), 1));
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 5);
    assert.equal(((await rejection(poll({}, { accessToken: 'bad' }).start())) as ApiError).code, 5);
  });

  test('a closed session ends the poll with its error', async () => {
    await start();
    const api = clients.client();
    const source = new BotsLongPoll(api, { groupId: 1, ...fast });
    await api.close();
    assert.match(((await rejection(take(source, 1))) as Error).message, /closed/);
  });

  test("long poll requests go through the session's dispatcher", async () => {
    await start();
    const paths: string[] = [];
    const dispatcher = new Agent().compose((dispatch) => (options, handler) => {
      paths.push(`${options.method} ${String(options.path).split('?')[0]}`);
      return dispatch(options, handler);
    });
    fake.push(message(1), message(2));
    await take(poll({}, { dispatcher }), 2);
    assert.deepEqual(paths.slice(0, 2), ['POST /method/groups.getLongPollServer', 'GET /lp/bots']);
    await dispatcher.close();
  });

  test('printing the poll shows no key', async () => {
    await start();
    fake.push(message(1));
    const source = poll();
    await take(source, 1);
    const printed = `${inspect(source)} ${JSON.stringify(source)}`;
    assert.match(printed, /BotsLongPoll/);
    assert.doesNotMatch(printed, /key1_/);
  });

  test('bad options throw before anything is sent', async () => {
    await start();
    const api = clients.client();
    for (const options of [{ groupId: 0 }, { groupId: 1.5 }, { groupId: 1, wait: 0 }, { groupId: 1, wait: 91 }, { groupId: 1, wait: 2.5 }, { groupId: 1, wait: 5, reconnectAfter: 5000 }, { groupId: 1, retryDelay: { initial: 10, max: 5 } }, { groupId: 1, rememberEvents: 0 }]) {
      assert.throws(() => new BotsLongPoll(api, options), RangeError, JSON.stringify(options));
    }
    assert.throws(() => new BotsLongPoll({ callMethod: async () => ({}) } as never, { groupId: 1 }), /must be an API/);
    assert.equal(fake.vk.requests.length, 0);
  });
});
