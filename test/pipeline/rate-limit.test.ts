// Per-token rate limiting against the fake VK server, which answers error 6 past
// its own per-token limit. Tests assert order, counts and error-free completion;
// the timing figures live in bench/runtime.ts.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { TokenScope } from '../../generated/sections.js';
import { API, ApiError, type APIOptions, type CallOptions } from '../../src/index.js';
import type { MethodCaller } from '../../src/core/calls.js';
import { RateLimiter, sharedLimiter, type Slot } from '../../src/pipeline/rate-limit.js';
import { FaultPlan, PerTokenRateLimit } from '../../src/testing/faults.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { startTunnelProxy } from '../support/tunnel-proxy.js';

let server: FakeVk;
let limit: PerTokenRateLimit;
let faults: FaultPlan;
let removeLimit: () => void = () => {};
let removeFaults: () => void = () => {};
const clients: { close(): Promise<void> }[] = [];
let tokenCount = 0;

/** A token no other test uses: limiters are shared per token across the process. */
function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.RATE_LIMIT_TEST_${tokenCount}_${process.pid}_abcdefghijklmnop`;
}

function client<T extends TokenScope = 'any'>(options: APIOptions<T> = {}): API<T> {
  const api = new API<T>({ apiBaseUrl: server.apiBaseUrl, retryDelay: { initial: 20, max: 200 }, ...options });
  clients.push(api);
  return api;
}

/** The `user_ids` of the requests the server accepted for `token`, in arrival order. */
function servedIds(token: string): number[] {
  return server.requests
    .filter((request) => request.params['access_token'] === token && request.path === '/method/users.get')
    .map((request) => Number(request.params['user_ids']));
}

async function getUser(api: MethodCaller, id: number, options: CallOptions = {}): Promise<number | undefined> {
  const users = await api.callMethod<{ id: number }[]>('users.get', { user_ids: [id] }, options);
  return users[0]?.id;
}

before(async () => {
  server = await startFakeVk();
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
});

/** Sets the fake server's per-token limit (3/s unless a test says otherwise) and a
 * fresh fault plan behind it, so refused requests count as arrivals too. */
function serverLimit(perSecond: number): void {
  removeLimit();
  removeFaults();
  limit = new PerTokenRateLimit(perSecond);
  faults = new FaultPlan();
  removeLimit = server.gate(limit.gate);
  removeFaults = server.gate(faults.gate);
}

beforeEach(() => {
  serverLimit(3);
  server.requests.length = 0;
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

describe('one token', () => {
  test('30 queued calls against a 3/s limit: no error 6, served in call order, never 4 in a second', async () => {
    const token = freshToken();
    const api = client({ accessToken: token, tokenType: 'user' });
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => getUser(api, i)));
    const seconds = (performance.now() - started) / 1000;

    assert.deepEqual(
      ids,
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(limit.refused, 0, 'error 6 replies');
    assert.equal(limit.accepted.length, 30);
    assert.deepEqual(servedIds(token), ids, 'first queued, first sent');
    assert.equal(limit.busiestWindow(token), 3);
    // Ideal: 3 at once, then 3 a second: the last starts at 9 s. Only a sanity bound here.
    assert.ok(seconds > 8.5 && seconds < 30, `took ${seconds.toFixed(1)} s`);
  });

  test('sessions sharing a token share its limit', async () => {
    const token = freshToken();
    const [first, second] = [client({ accessToken: token }), client({ accessToken: token })];
    const calls = Array.from({ length: 14 }, (_, i) => getUser(i % 2 === 0 ? first : second, i));
    assert.deepEqual(
      await Promise.all(calls),
      Array.from({ length: 14 }, (_, i) => i),
    );
    assert.equal(limit.refused, 0);
    assert.equal(limit.busiestWindow(token), 3);
  });

  test('sessions with different limits on one token each keep to their own, counting all requests', async () => {
    const token = freshToken();
    const fast = client({ accessToken: token, rateLimit: 10 });
    const slow = client({ accessToken: token, rateLimit: 2 });
    serverLimit(10);
    // Alternating, so the slow session's calls queue behind and among the fast one's.
    const calls = Array.from({ length: 16 }, (_, i) => getUser(i % 2 === 0 ? fast : slow, i));
    assert.deepEqual(
      await Promise.all(calls),
      Array.from({ length: 16 }, (_, i) => i),
    );
    assert.equal(limit.refused, 0);
    assert.ok(limit.busiestWindow(token) <= 10);
    // Each slow call started when fewer than 2 requests on the token had arrived in the second before it.
    const arrivals = limit.accepted.filter((request) => request.token === token);
    const slowArrivals = arrivals.filter((_, i) => Number(servedIds(token)[i]) % 2 === 1);
    assert.equal(slowArrivals.length, 8);
    for (const slowCall of slowArrivals) {
      const before = arrivals.filter(
        (other) => other !== slowCall && other.at <= slowCall.at && other.at > slowCall.at - 1000,
      );
      assert.ok(before.length < 2, `${before.length} requests in the second before a slow-session call`);
    }
  });

  test('a call aborted while queued never reaches VK; the queue moves on', async () => {
    const token = freshToken();
    const api = client({ accessToken: token });
    const controller = new AbortController();
    const reason = new Error('user gave up');
    const calls = [0, 1, 2].map((id) => getUser(api, id));
    const aborted = getUser(api, 3, { signal: controller.signal });
    const later = getUser(api, 4);
    controller.abort(reason);
    await assert.rejects(aborted, (error) => error === reason);
    assert.deepEqual(await Promise.all([...calls, later]), [0, 1, 2, 4]);
    assert.deepEqual(servedIds(token), [0, 1, 2, 4]);
  });

  test('requests slow to connect keep to the limit too: they count from their write, not their grant', async () => {
    // Each new connection through this proxy takes 300 ms (a TLS handshake far
    // from VK): the first requests reach VK late, the next ones (kept-alive) at once.
    const proxy = await startTunnelProxy(undefined, 300);
    try {
      const token = freshToken();
      const api = client({ accessToken: token, proxy: proxy.url });
      assert.deepEqual(await Promise.all([0, 1, 2, 3, 4, 5].map((id) => getUser(api, id))), [0, 1, 2, 3, 4, 5]);
      assert.equal(limit.refused, 0);
      assert.equal(limit.busiestWindow(token), 3);
    } finally {
      await proxy.close();
    }
  });

  test('error 6 from VK: the call is retried, not lost, and the token pauses for a second', async () => {
    const token = freshToken();
    const api = client({ accessToken: token, rateLimit: 20 });
    serverLimit(20);
    faults.inject('users.get', 'error-6');
    const refused = getUser(api, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Well under the session's 20/s, yet held back: VK said the token is over its limit.
    assert.deepEqual(await Promise.all([refused, getUser(api, 1), getUser(api, 2)]), [0, 1, 2]);
    assert.equal(faults.applied.get('error-6'), 1);
    const [first, ...rest] = limit.accepted.filter((request) => request.token === token);
    assert.equal(rest.length, 3, 'the refused call once more, and the two others');
    for (const request of rest)
      assert.ok(request.at - first!.at >= 950, `sent ${request.at - first!.at} ms after the error 6`);
  });
});

describe('several tokens', () => {
  test('each token has its own limit: one token does not wait for another', async () => {
    const [tokenA, tokenB] = [freshToken(), freshToken()];
    const [a, b] = [client({ accessToken: tokenA }), client({ accessToken: tokenB })];
    const callsA = Array.from({ length: 6 }, (_, i) => getUser(a, i));
    const callsB = Array.from({ length: 6 }, (_, i) => getUser(b, 100 + i));
    await Promise.all([...callsA, ...callsB]);
    assert.equal(limit.refused, 0);
    // Both tokens' first three went out at once, before either token's second window.
    const firstSix = limit.accepted.slice(0, 6).map((request) => request.token);
    assert.equal(firstSix.filter((token) => token === tokenA).length, 3);
    assert.equal(firstSix.filter((token) => token === tokenB).length, 3);
  });

  test('a call with its own access_token is limited on that token', async () => {
    const [sessionToken, callToken] = [freshToken(), freshToken()];
    const api = client({ accessToken: sessionToken });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.callMethod('users.get', { user_ids: [i], access_token: callToken })),
    );
    assert.equal(limit.refused, 0);
    assert.equal(limit.busiestWindow(callToken), 3);
  });
});

describe('limits by token type and option', () => {
  test('community tokens default to 20/s', async () => {
    const token = freshToken();
    serverLimit(20);
    const api = client({ accessToken: token, tokenType: 'group' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => getUser(api, i)));
    assert.equal(limit.refused, 0);
    assert.equal(limit.busiestWindow(token), 20);
  });

  test('rateLimit sets the limit; false turns limiting off', async () => {
    const token = freshToken();
    serverLimit(5);
    await Promise.all(Array.from({ length: 8 }, (_, i) => getUser(client({ accessToken: token, rateLimit: 5 }), i)));
    assert.equal(limit.refused, 0);
    assert.equal(limit.busiestWindow(token), 5);

    const unlimited = client({ accessToken: freshToken(), rateLimit: false, maxRetries: 0 });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => getUser(unlimited, i)));
    const refused = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason instanceof ApiError && o.reason.code === 6,
    );
    assert.equal(refused.length, 8 - 5, 'VK refuses what an unlimited client sends past its limit');
  });

  test('a bad rateLimit or maxRetries is refused at construction', () => {
    assert.throws(() => new API({ rateLimit: 0 }), RangeError);
    assert.throws(() => new API({ rateLimit: 2.5 }), RangeError);
    assert.throws(() => new API({ maxRetries: -1 }), RangeError);
  });
});

describe('the limiter itself', () => {
  const take = (limiter: RateLimiter, count: number) =>
    Promise.all(Array.from({ length: count }, () => limiter.acquire(3)));

  test('grants up to the limit at once, the rest when a second has passed since they reached VK', async () => {
    const limiter = new RateLimiter();
    const first = await take(limiter, 3);
    for (const slot of first) slot.done();
    const doneAt = performance.now();
    const fourth = await limiter.acquire(3);
    assert.ok(fourth.grantedAt - doneAt >= 999, `granted after ${fourth.grantedAt - doneAt} ms`);
    fourth.done();
  });

  test('in flight, a request counts from its write plus a short allowance', async () => {
    const limiter = new RateLimiter();
    const inFlight = await limiter.acquire(1);
    inFlight.written();
    const writtenAt = performance.now();
    const next = await limiter.acquire(1);
    assert.ok(next.grantedAt - writtenAt >= 1000, `granted ${next.grantedAt - writtenAt} ms after the write`);
    assert.ok(next.grantedAt - writtenAt < 1500);
    next.cancel();
    inFlight.done();
  });

  test('before its write (still connecting), a request holds its place in the window', async () => {
    const limiter = new RateLimiter();
    const connecting = await limiter.acquire(1);
    let granted = false;
    const next = limiter.acquire(1).then((slot) => {
      granted = true;
      return slot;
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(granted, false, 'it may reach VK any moment, so it counts from now on');
    connecting.done();
    const doneAt = performance.now();
    const slot = await next;
    assert.ok(slot.grantedAt - doneAt >= 999);
    slot.done();
  });

  test('a cancelled grant is given back at once', async () => {
    const limiter = new RateLimiter();
    const unused = await limiter.acquire(1);
    const waiting = limiter.acquire(1);
    assert.equal(limiter.queued, 1);
    unused.cancel();
    const slot: Slot = await waiting;
    assert.ok(slot.grantedAt - unused.grantedAt < 500);
    slot.done();
  });

  test('saturate() holds every grant back for a full window', async () => {
    const limiter = new RateLimiter();
    limiter.saturate();
    const saturatedAt = performance.now();
    const slot = await limiter.acquire(5);
    assert.ok(slot.grantedAt - saturatedAt >= 999);
    slot.done();
  });

  test('an aborted wait rejects with the reason and leaves the queue', async () => {
    const limiter = new RateLimiter();
    const held = await limiter.acquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal(limiter.queued, 0);
    held.done();
  });

  test('a waiter whose limit is reached holds the ones behind it (first come, first served)', async () => {
    const limiter = new RateLimiter();
    const held = await limiter.acquire(1);
    const strict = limiter.acquire(1);
    let lenientGranted = false;
    const lenient = limiter.acquire(5).then((slot) => {
      lenientGranted = true;
      return slot;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(lenientGranted, false);
    held.done();
    for (const slot of await Promise.all([strict, lenient])) slot.done();
  });

  test('one limiter per token, found by a hash of it', () => {
    const token = freshToken();
    const limiter = sharedLimiter(token);
    assert.equal(sharedLimiter(token), limiter);
    assert.notEqual(sharedLimiter(freshToken()), limiter);
  });
});
