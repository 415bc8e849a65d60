// The `rateLimitStore` option: what the pipeline asks of a store (a grant per request
// by a hash of the token, settled once; a pause after error 6), what a failing store
// does to a call, and the default (the process's limiter, shared by its sessions).

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, CommunityAPI, type APIOptions } from '../../src/index.js';
import type { RateLimitAcquireOptions, RateLimitGrant, RateLimitStore } from '../../src/pipeline/rate-limit-store.js';
import { tokenKey } from '../../src/pipeline/rate-limit-store.js';
import { sharedLimiter } from '../../src/pipeline/rate-limit.js';
import { FaultPlan } from '../../src/testing/faults.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

let server: FakeVk;
let faults: FaultPlan;
let removeFaults: () => void = () => {};
const clients: { close(): Promise<void> }[] = [];
let tokenCount = 0;

function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.STORE_TEST_${tokenCount}_${process.pid}_abcdefghijklmnopqrstuvwxyz`;
}

function client(options: APIOptions): API {
  const api = new API({ apiBaseUrl: server.apiBaseUrl, retryDelay: { initial: 10, max: 20 }, ...options });
  clients.push(api);
  return api;
}

/** A store that grants at once and writes down everything the pipeline tells it. */
class RecordingStore implements RateLimitStore {
  readonly events: string[] = [];
  readonly asked: { key: string; perSecond: number; options: RateLimitAcquireOptions }[] = [];
  #serial = 0;

  async acquire(key: string, perSecond: number, options: RateLimitAcquireOptions): Promise<RateLimitGrant> {
    this.asked.push({ key, perSecond, options });
    const grant = (this.#serial += 1);
    this.events.push(`grant ${grant}`);
    return {
      written: () => this.events.push(`written ${grant}`),
      done: () => this.events.push(`done ${grant}`),
      cancel: () => this.events.push(`cancel ${grant}`),
    };
  }

  saturate(key: string): void {
    this.events.push(`saturate ${key}`);
  }
}

before(async () => {
  server = await startFakeVk();
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
});

beforeEach(() => {
  removeFaults();
  faults = new FaultPlan();
  removeFaults = server.gate(faults.gate);
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

describe('a store of your own', () => {
  test('gets a request for every request, by a hash of the token, with the limit and the timeout', async () => {
    const token = freshToken();
    const store = new RecordingStore();
    const api = client({ accessToken: token, rateLimit: 7, timeout: 4321, rateLimitStore: store });
    await api.users.get({ user_ids: [1] });
    assert.equal(store.asked.length, 1);
    const [{ key, perSecond, options }] = store.asked as [(typeof store.asked)[number]];
    assert.equal(key, tokenKey(token));
    assert.ok(!key.includes(token) && !key.includes(token.slice(6, 20)));
    assert.equal(perSecond, 7);
    assert.equal(options.timeout, 4321);
    assert.ok(options.signal instanceof AbortSignal, 'the wait ends on close() at least');
    assert.deepEqual(store.events, ['grant 1', 'written 1', 'done 1']);
  });

  test('each grant is settled once: a request that never went out is given back, a retried one gets a new grant', async () => {
    const store = new RecordingStore();
    const api = client({
      accessToken: freshToken(),
      rateLimitStore: store,
      apiBaseUrl: 'http://127.0.0.1:1/method',
      maxRetries: 1,
    });
    await assert.rejects(api.users.get({ user_ids: [1] }));
    assert.deepEqual(store.events, ['grant 1', 'cancel 1', 'grant 2', 'cancel 2']);
  });

  test('error 6 pauses the token in the store, and the call is retried on a new grant', async () => {
    const token = freshToken();
    const store = new RecordingStore();
    const api = client({ accessToken: token, rateLimitStore: store });
    faults.inject('users.get', 'error-6');
    assert.deepEqual(await api.users.get({ user_ids: [5] }), [{ id: 5 }]);
    assert.deepEqual(store.events, [
      'grant 1',
      'written 1',
      `saturate ${tokenKey(token)}`,
      'done 1',
      'grant 2',
      'written 2',
      'done 2',
    ]);
  });

  test('a store that fails fails the call with its error, and nothing is sent', async () => {
    const failure = new Error('store down');
    const api = client({
      accessToken: freshToken(),
      rateLimitStore: { acquire: () => Promise.reject(failure), saturate: () => {} },
    });
    const sent = server.requests.length;
    await assert.rejects(api.users.get({ user_ids: [1] }), (error) => error === failure);
    assert.equal(server.requests.length, sent);
  });

  test('with rateLimit: false, the store is never asked', async () => {
    const store = new RecordingStore();
    await client({ accessToken: freshToken(), rateLimit: false, rateLimitStore: store }).users.get({ user_ids: [1] });
    assert.deepEqual(store.events, []);
  });

  test("sessions that log in pass it on: CommunityAPI's group tokens are limited in it", async () => {
    const groupToken = freshToken();
    const store = new RecordingStore();
    const community = new CommunityAPI({
      apiBaseUrl: server.apiBaseUrl,
      groupIds: [42],
      groupTokens: { 42: groupToken },
      rateLimitStore: store,
    });
    clients.push(community);
    await community.users.get({ user_ids: [1] });
    assert.equal(store.asked[0]?.key, tokenKey(groupToken));
    assert.equal(store.asked[0]?.perSecond, 20, 'a community token');
  });
});

describe('the default store', () => {
  test("is the process's limiter, shared by every session on the token", async () => {
    const token = freshToken();
    const [first, second] = [
      client({ accessToken: token, rateLimit: 1 }),
      client({ accessToken: token, rateLimit: 1 }),
    ];
    const calls = [
      first.users.get({ user_ids: [1] }),
      second.users.get({ user_ids: [2] }),
      first.users.get({ user_ids: [3] }),
    ];
    const limiter = sharedLimiter(token);
    while (limiter.queued < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(limiter.queued, 2, "the second session's call waits behind the first's");
    const results = await Promise.all(calls);
    assert.deepEqual(results, [[{ id: 1 }], [{ id: 2 }], [{ id: 3 }]]);
  });

  test('error 6 still pauses the token for every session of the process', async () => {
    const token = freshToken();
    const api = client({ accessToken: token, rateLimit: 20, maxRetries: 0 });
    faults.inject('users.get', 'error-6');
    await assert.rejects(api.users.get({ user_ids: [1] }), (error) => error instanceof ApiError && error.code === 6);
    assert.equal(sharedLimiter(token).idle, false, 'paused for a second');
  });
});
