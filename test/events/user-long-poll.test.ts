// UserLongPoll against the fake long poll server: VK's arrays decoded into typed
// events, messages.getLongPollHistory catching up after `failed` 1 and 3 with
// nothing repeated, failed: 4, and a server given without its scheme, as VK gives it.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { MockAgent } from 'undici';
import type { APIOptions } from '../../src/index.js';
import { decodeUserEvent, type UserEvent } from '../../src/events/user-events.js';
import { LongPollError, UserLongPoll, type UserLongPollOptions } from '../../src/events/user-long-poll.js';
import { startFakeLongPoll, type FakeLongPoll } from '../../src/testing/long-poll.js';
import { TestClients } from '../support/clients.js';
import { rejection } from '../support/rejection.js';

let fake: FakeLongPoll | undefined;
const clients = new TestClients(() => ({ accessToken: 'token', apiBaseUrl: fake!.vk.apiBaseUrl }));
const fast = { wait: 1, retryDelay: { initial: 1, max: 5 } } as const;

afterEach(async () => {
  await clients.closeAll();
  await fake?.close();
  fake = undefined;
});

function poll(options: UserLongPollOptions = {}, apiOptions: APIOptions = {}): UserLongPoll {
  return new UserLongPoll(clients.client(apiOptions), { ...fast, ...options });
}

async function take(source: AsyncIterable<UserEvent>, count: number): Promise<UserEvent[]> {
  const events: UserEvent[] = [];
  for await (const event of source) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

const newMessage = (id: number) => [4, id, 1, 100, 1700000000 + id, `text ${id}`, { title: '' }, {}, 0, id, 0];

describe('decoding', () => {
  test("VK's arrays become objects named and typed by their code", () => {
    const message = decodeUserEvent([4, 10, 17, 2000000001, 1700000000, 'hi', { from: '5' }, { attach1_type: 'photo', attach1: '1_2' }, 0, 33, 0]);
    assert.ok(message?.type === 'message_new');
    assert.equal(message.code, 4);
    assert.equal(message.message_id, 10);
    assert.equal(message.flags, 17);
    assert.equal(message.peer_id, 2000000001);
    assert.equal(message.text, 'hi');
    assert.deepEqual(message.extra, { from: '5' });
    assert.deepEqual(message.attachments, { attach1_type: 'photo', attach1: '1_2' });
    assert.equal(message.conversation_message_id, 33);

    const online = decodeUserEvent([8, -42, 7, 1700000000]);
    assert.ok(online?.type === 'friend_online');
    assert.equal(online.user_id, 42);
    assert.deepEqual(decodeUserEvent([80, 3, 0]), { type: 'unread_count', code: 80, count: 3, raw: [80, 3, 0] });
    const typing = decodeUserEvent([63, 2000000001, [1, 2], 2, 1700000000]);
    assert.ok(typing?.type === 'users_typing');
    assert.deepEqual(typing.user_ids, [1, 2]);
    // Trailing fields VK leaves out are left out.
    assert.deepEqual(decodeUserEvent([2, 10, 128]), { type: 'message_flags_set', code: 2, message_id: 10, mask: 128, raw: [2, 10, 128] });
  });

  test('a code the SDK does not know comes through with its array; what is no event is not one', () => {
    assert.deepEqual(decodeUserEvent([999, 'x', 1]), { type: 'unknown_999', code: 999, raw: [999, 'x', 1] });
    assert.equal(decodeUserEvent({ 0: 4 }), undefined);
    assert.equal(decodeUserEvent(['4']), undefined);
  });
});

describe('the protocol', () => {
  test('messages.getLongPollServer with lp_version 3 and need_pts; a_check with mode and version 3', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.push(newMessage(1), [80, 1, 0]);
    const events = await take(poll(), 2);
    assert.deepEqual(events.map((e) => e.type), ['message_new', 'unread_count']);
    const server = fake.vk.requests.find((r) => r.path === '/method/messages.getLongPollServer');
    assert.equal(server?.params['lp_version'], '3');
    assert.equal(server?.params['need_pts'], '1');
    assert.deepEqual(fake.checks[0]!.query, { act: 'a_check', mode: String(2 | 8 | 32 | 64 | 128), version: '3' });
  });

  test('after failed: 3 the lost events come from messages.getLongPollHistory, then the new ones, none twice', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.push(newMessage(1));
    const source = poll();
    assert.deepEqual((await take(source, 1)).map((e) => e.raw[1]), [1]);
    // Events 2 and 3 happen, then VK loses the session; the new session starts after event 3,
    // and event 4 happens between the reconnection and the catch-up: both bring it.
    fake.push(newMessage(2), newMessage(3));
    fake.fault({ failed: 3 });
    const live = fake;
    live.connectTs = () => {
      const now = live.currentTs;
      live.push(newMessage(4));
      live.connectTs = () => live.currentTs;
      return now;
    };
    const events = await take(source, 3);
    assert.deepEqual(events.map((e) => e.raw[1]), [2, 3, 4]);
    assert.deepEqual(fake.historyCalls, [2]);
    const caughtUp = events[0]!;
    assert.ok(caughtUp.type === 'message_new');
    assert.equal(caughtUp.message?.text, 'text 2');
    // The next reply repeats event 4, which the catch-up brought: dropped.
    fake.push(newMessage(5));
    assert.deepEqual((await take(source, 1)).map((e) => e.raw[1]), [5]);
  });

  test('after failed: 1 the events skipped are caught up from the last pts', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.push(newMessage(1));
    const source = poll();
    await take(source, 1);
    fake.push(newMessage(2), newMessage(3));
    fake.fault({ failed: 1 });
    const events = await take(source, 2);
    assert.deepEqual(events.map((e) => e.raw[1]), [2, 3]);
    assert.deepEqual(fake.historyCalls, [2]);
    assert.equal(fake.connects, 1);
  });

  test('catchUp: false skips the history', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.push(newMessage(1), newMessage(2));
    fake.fault({ failed: 1 });
    const source = poll({ catchUp: false });
    const pending = take(source, 1);
    while (fake.checks.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.push(newMessage(3));
    assert.deepEqual((await pending).map((e) => e.raw[1]), [3]);
    assert.deepEqual(fake.historyCalls, []);
  });

  test('failed: 4 (a version the server does not serve) is a LongPollError thrown from the loop', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.fault({ failed: 4 });
    const error = await rejection(take(poll(), 1));
    assert.ok(error instanceof LongPollError);
    assert.equal(error.failed, 4);
    assert.deepEqual(error.versions, { min: 0, max: 3 });
  });

  test('handlers by type, typed per event', async () => {
    fake = await startFakeLongPoll({ kind: 'user', idleReply: 30 });
    fake.push(newMessage(1), [8, -42, 7, 1], [999]);
    const source = poll();
    const seen: string[] = [];
    source
      .on('message_new', (event) => void seen.push(`message ${event.text}`))
      .on('friend_online', (event) => void seen.push(`online ${event.user_id}`))
      .onUnknown((event) => {
        seen.push(`code ${event.code}`);
        source.stop();
      });
    await source.start();
    assert.deepEqual(seen, ['message text 1', 'online 42', 'code 999']);
  });

  test("a server without its scheme, as VK gives it, is polled over https through the session's dispatcher", async () => {
    fake = await startFakeLongPoll({ kind: 'user' });
    fake.vk.reply('messages.getLongPollServer', { key: 'secret-key-1234567890', server: 'im.vk.test/nim1', ts: 10, pts: 10 });
    const agent = new MockAgent();
    agent.enableNetConnect(/^127\.0\.0\.1:/);
    const queries: string[] = [];
    agent
      .get('https://im.vk.test')
      .intercept({ path: (path) => path.startsWith('/nim1?'), method: 'GET' })
      .reply(200, (options) => {
        queries.push(String(options.path));
        return { ts: 11, pts: 11, updates: [newMessage(7)] };
      });
    const events = await take(poll({}, { dispatcher: agent }), 1);
    assert.equal(events[0]!.raw[1], 7);
    const query = Object.fromEntries(new URLSearchParams(queries[0]!.split('?')[1]));
    assert.deepEqual(query, { act: 'a_check', key: 'secret-key-1234567890', ts: '10', wait: '1', mode: '234', version: '3' });
    await agent.close();
  });

  test('bad options throw before anything is sent', async () => {
    fake = await startFakeLongPoll({ kind: 'user' });
    const api = clients.client();
    for (const options of [{ mode: -1 }, { mode: 1.5 }, { groupId: 0 }, { wait: 100 }]) {
      assert.throws(() => new UserLongPoll(api, options), RangeError, JSON.stringify(options));
    }
    assert.equal(fake.vk.requests.length, 0);
  });
});
