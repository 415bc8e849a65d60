// Retries, timeouts and non-duplication against the fake VK server with injected
// faults: every fault ends in a result or a typed error after bounded retries, no
// call is lost, and nothing runs twice (the server counts random_ids, and its
// messages.send de-duplicates by them as VK does).

import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, TimeoutError, TransportError, VkError, type APIOptions } from '../../src/index.js';
import { addDeduplicationKey, isReplaySafe } from '../../src/core/method-traits.js';
import { backoffDelay, classifyFailure, defaultRetryPolicy } from '../../src/pipeline/retry.js';
import { FaultPlan, MessageStore, RandomIdLedger, type Fault } from '../../src/testing/faults.js';
import { startFakeVk, type FakeVk, type MethodHandler } from '../../src/testing/fake-vk.js';
import { rejection } from '../support/rejection.js';

const token = 'vk1.a.RETRY_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz';

let server: FakeVk;
let faults: FaultPlan;
let ledger: RandomIdLedger;
let messages: MessageStore;
/** Times each method's handler ran (what VK would have executed). */
let runs: Map<string, number>;
let removeGates: () => void = () => {};
const clients: API[] = [];

/** Fast backoff, no rate limit: these tests are about faults, not pacing. */
function client(options: APIOptions = {}): API {
  const api = new API({
    accessToken: token,
    apiBaseUrl: server.apiBaseUrl,
    rateLimit: false,
    retryDelay: { initial: 5, max: 40 },
    ...options,
  });
  clients.push(api);
  return api;
}

function counted(method: string, handler: MethodHandler) {
  server.reply(method, (params, request) => {
    runs.set(method, (runs.get(method) ?? 0) + 1);
    return handler(params, request);
  });
}

/** A slow fault runs its call after the client gave up, as VK would: wait for it. */
async function lateRuns(fault: Fault): Promise<void> {
  if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, faults.slowMs + 100));
}

before(async () => {
  server = await startFakeVk({ tokens: [token] });
});

beforeEach(() => {
  removeGates();
  ledger = new RandomIdLedger();
  faults = new FaultPlan(300);
  messages = new MessageStore();
  runs = new Map();
  // The ledger first: it sees every request, faulted or not.
  const gates = [server.gate(ledger.gate), server.gate(faults.gate)];
  removeGates = () => gates.forEach((remove) => remove());
  counted('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
  counted('messages.send', messages.handler);
  counted('likes.add', () => ({ likes: 1 }));
  server.requests.length = 0;
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

const everyFault: readonly Fault[] = [
  'reset',
  'reset-after-run',
  'slow',
  'http-502',
  'malformed-json',
  'error-10',
  'error-6',
];

describe('every fault, on a call that is safe to repeat', () => {
  for (const fault of everyFault) {
    test(`${fault}: a read is retried and returns its result`, async () => {
      faults.inject('users.get', fault);
      const users = await client({ timeout: 150 }).users.get({ user_ids: [7] });
      assert.deepEqual(users, [{ id: 7 }]);
      assert.equal(faults.applied.get(fault), 1);
      assert.equal(server.requests.length, 2);
      await lateRuns(fault);
    });

    test(`${fault}: messages.send is retried with the same random_id and sent once`, async () => {
      faults.inject('messages.send', fault);
      const id = await client({ timeout: 150 }).messages.send({ peer_id: 1, message: 'hi' });
      assert.equal(typeof id, 'number');
      await lateRuns(fault);
      assert.equal(messages.sent.size, 1, 'one message sent, even when the timed-out attempt runs late');
      const received = [...ledger.received('messages.send').values()];
      assert.deepEqual(received, [2], 'one random_id, received twice');
    });
  }
});

describe('a write that is not safe to repeat', () => {
  const expectations: readonly [Fault, 'retried' | 'not retried', number][] = [
    // VK refused it: safe to send again.
    ['error-10', 'retried', 1],
    ['error-6', 'retried', 1],
    // It may have run: sending it again could run it twice.
    ['reset', 'not retried', 0],
    ['reset-after-run', 'not retried', 1],
    ['http-502', 'not retried', 0],
    ['malformed-json', 'not retried', 1],
    ['slow', 'not retried', 1],
  ];
  for (const [fault, outcome, timesRun] of expectations) {
    test(`${fault}: ${outcome}, and run ${timesRun} time(s)`, async () => {
      faults.inject('likes.add', fault);
      const call = client({ timeout: 150 }).likes.add({ type: 'post', owner_id: 1, item_id: 2 });
      if (outcome === 'retried') {
        assert.deepEqual(await call, { likes: 1 });
        assert.equal(server.requests.length, 2);
      } else {
        const error = await rejection(call);
        assert.ok(error instanceof TransportError, String(error));
        if (fault === 'slow') assert.ok(error instanceof TimeoutError);
        assert.equal(server.requests.length, 1);
      }
      await lateRuns(fault);
      assert.equal(runs.get('likes.add') ?? 0, timesRun);
    });
  }

  test('messages.send with random_id 0 (VK de-duplication off) is not repeated after a lost reply', async () => {
    faults.inject('messages.send', 'reset-after-run');
    const error = await rejection(client().messages.send({ peer_id: 1, random_id: 0, message: 'hi' }));
    assert.ok(error instanceof TransportError);
    assert.equal(messages.sent.size, 1);
    assert.equal(server.requests.length, 1);
  });
});

describe('bounded retries', () => {
  test('200 messages under 150 random faults: none lost, none sent twice', async () => {
    const kinds = everyFault.filter((fault) => fault !== 'slow');
    faults.inject('messages.send', ...Array.from({ length: 150 }, (_, i) => kinds[(i * 7) % kinds.length]!));
    const api = client({ maxRetries: 200 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => api.messages.send({ peer_id: i + 1, message: `m${i}` })),
    );
    const ids = outcomes.map((settled) => (settled.status === 'fulfilled' ? settled.value : settled.reason));
    assert.ok(
      ids.every((id) => typeof id === 'number'),
      'every call got its message id',
    );
    assert.equal(faults.pending, 0, 'every fault was met');
    assert.equal(new Set(ids).size, 200, 'each call got its own message');
    assert.equal(messages.sent.size, 200, 'nothing sent twice');
    const received = ledger.received('messages.send');
    assert.equal(received.size, 200, 'one random_id per call, kept across retries');
    assert.equal(
      [...received.values()].reduce((a, b) => a + b, 0),
      200 + 150,
    );
  });

  test('a fault that persists ends in a typed error after exactly maxRetries retries', async () => {
    faults.inject('users.get', 'http-502', 'error-10', 'http-502');
    const error = await rejection(client({ maxRetries: 2 }).users.get({ user_ids: [1] }));
    assert.ok(error instanceof ApiError || error instanceof TransportError);
    assert.equal(server.requests.length, 3);
    assert.ok(error instanceof TransportError && error.status === 502);

    server.requests.length = 0;
    faults.inject('users.get', 'error-10', 'error-10');
    const viaCall = await rejection(client({ maxRetries: 5 }).users.get({ user_ids: [1] }, { maxRetries: 1 }));
    assert.ok(viaCall instanceof ApiError && viaCall.code === 10);
    assert.equal(server.requests.length, 2, 'the call option overrides the client');
  });

  test('maxRetries: 0 sends once', async () => {
    faults.inject('users.get', 'error-10');
    const error = await rejection(client({ maxRetries: 0 }).users.get({ user_ids: [1] }));
    assert.ok(error instanceof ApiError && error.code === 10);
    assert.equal(server.requests.length, 1);
  });

  test('a refused connection is retried even for a write (nothing was sent)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    let connectErrors = 0;
    const onConnectError = (message: unknown) => {
      if ((message as { connectParams?: { port?: string | number } }).connectParams?.port == port) connectErrors += 1;
    };
    diagnostics.subscribe('undici:client:connectError', onConnectError);
    try {
      const api = client({ apiBaseUrl: `http://127.0.0.1:${port}/method`, maxRetries: 2 });
      const error = await rejection(api.likes.add({ type: 'post', owner_id: 1, item_id: 2 }));
      assert.ok(error instanceof TransportError && error.status === undefined);
      assert.equal(classifyFailure(error), 'not-run');
      assert.equal(connectErrors, 3);
    } finally {
      diagnostics.unsubscribe('undici:client:connectError', onConnectError);
    }
  });
});

describe('timeouts and cancellation', () => {
  test("a call's timeout longer than the client's is honoured (undici's own timeouts follow ours)", async () => {
    faults.inject('users.get', 'slow');
    const users = await client({ timeout: 100 }).users.get({ user_ids: [1] }, { timeout: 2000, maxRetries: 0 });
    assert.deepEqual(users, [{ id: 1 }]);
  });

  test('the timeout is per attempt: a slow first attempt is retried', async () => {
    faults.inject('users.get', 'slow');
    const api = client({ timeout: 100 });
    assert.deepEqual(await api.users.get({ user_ids: [2] }), [{ id: 2 }]);
    assert.equal(server.requests.length, 2);
    await lateRuns('slow');
  });

  test('aborting during the backoff rejects at once with the reason', async () => {
    faults.inject('users.get', 'error-10');
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const api = client({ retryDelay: { initial: 60_000, max: 60_000 } });
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    // Backoff is random in [0, 60 s): wait for the first attempt to be answered.
    while (faults.applied.get('error-10') !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    controller.abort(reason);
    assert.equal(await rejection(call), reason);
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });
});

describe('backoff', () => {
  test('full jitter: a random wait up to initialDelay * 2^n, capped at maxDelay', () => {
    const policy = { maxRetries: 10, initialDelay: 100, maxDelay: 1000 };
    assert.equal(
      backoffDelay(0, policy, () => 0.999_999),
      99.9999,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(8, policy, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(3, policy, () => 0),
      0,
    );
    const samples = Array.from({ length: 1000 }, () => backoffDelay(3, policy));
    assert.ok(samples.every((ms) => ms >= 0 && ms < 800));
    assert.ok(new Set(samples.map((ms) => Math.floor(ms / 100))).size === 8, 'spread over the whole range');
    assert.deepEqual(defaultRetryPolicy, { maxRetries: 3, initialDelay: 500, maxDelay: 8000 });
  });
});

describe('which failures are retried', () => {
  test('VK errors 6, 9 and 10 mean the call did not run; others are final', () => {
    for (const code of [6, 9, 10])
      assert.equal(classifyFailure(new ApiError({ error_code: code, error_msg: '' })), 'not-run');
    for (const code of [1, 5, 14, 15, 100])
      assert.equal(classifyFailure(new ApiError({ error_code: code, error_msg: '' })), 'final');
  });

  test('network and HTTP failures by whether VK may have run the call', () => {
    const withCause = (code: string) => new TransportError('x', { cause: Object.assign(new Error(code), { code }) });
    assert.equal(classifyFailure(withCause('ECONNREFUSED')), 'not-run');
    assert.equal(classifyFailure(withCause('UND_ERR_CONNECT_TIMEOUT')), 'not-run');
    assert.equal(classifyFailure(withCause('ENOTFOUND')), 'not-run');
    assert.equal(classifyFailure(withCause('ECONNRESET')), 'maybe-run');
    assert.equal(classifyFailure(withCause('UND_ERR_SOCKET')), 'maybe-run');
    const refusedTwice = new TransportError('x', {
      cause: new AggregateError([withCause('ECONNREFUSED').cause, withCause('ECONNREFUSED').cause]),
    });
    assert.equal(classifyFailure(refusedTwice), 'not-run');
    assert.equal(classifyFailure(new TimeoutError(100)), 'maybe-run');
    assert.equal(classifyFailure(new TransportError('x', { status: 502 })), 'maybe-run');
    assert.equal(classifyFailure(new TransportError('x', { status: 200 })), 'maybe-run');
    assert.equal(classifyFailure(new TransportError('x', { status: 429 })), 'not-run');
    assert.equal(classifyFailure(new TransportError('x', { status: 404 })), 'final');
    assert.equal(classifyFailure(new VkError('The client is closed')), 'final');
    assert.equal(classifyFailure(new DOMException('aborted', 'AbortError')), 'final');
  });
});

describe('de-duplication keys', () => {
  test('messages.send gets a random_id when the caller gives none; a given one is kept', async () => {
    const api = client();
    await api.messages.send({ peer_id: 1, message: 'a' });
    await api.messages.send({ peer_id: 1, message: 'b', random_id: 42 });
    await api.messages.send({ peer_id: 1, message: 'c', random_id: 0 });
    const sent = server.requests.map((request) => request.body['random_id']);
    assert.match(sent[0] ?? '', /^[1-9]\d{17,18}$/);
    assert.deepEqual(sent.slice(1), ['42', '0']);
  });

  test('random_ids are distinct and fit a signed 64-bit integer', () => {
    const ids = Array.from({ length: 10_000 }, () => {
      const form = new URLSearchParams();
      addDeduplicationKey('messages.send', form);
      return form.get('random_id')!;
    });
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => BigInt(id) > 0n && BigInt(id) < 2n ** 63n));
  });

  test('other de-duplicating writes get theirs: notifications.sendMessage random_id, wall.post guid', () => {
    const notification = new URLSearchParams();
    addDeduplicationKey('notifications.sendMessage', notification);
    assert.ok(notification.get('random_id'));
    const post = new URLSearchParams();
    addDeduplicationKey('wall.post', post);
    assert.match(post.get('guid') ?? '', /^[0-9a-f-]{36}$/);
    const plain = new URLSearchParams();
    addDeduplicationKey('likes.add', plain);
    assert.equal(plain.size, 0);
  });

  test('safe to repeat: reads, and writes that carry a key VK checks', () => {
    const form = (entries: Record<string, string> = {}) => new URLSearchParams(entries);
    assert.ok(isReplaySafe('users.get', form()));
    assert.ok(isReplaySafe('groups.isMember', form()));
    assert.ok(isReplaySafe('utils.resolveScreenName', form()));
    assert.ok(!isReplaySafe('likes.add', form()));
    assert.ok(!isReplaySafe('users.getaway', form()), 'a verb, not a prefix of one');
    assert.ok(!isReplaySafe('execute', form({ code: 'return 1;' })));
    assert.ok(isReplaySafe('messages.send', form({ random_id: '5' })));
    assert.ok(!isReplaySafe('messages.send', form({ random_id: '0' })));
    assert.ok(!isReplaySafe('messages.send', form()));
  });
});
