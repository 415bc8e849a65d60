// Token pools (`accessToken: [t1, t2, ...]`) against the fake VK server, with the
// in-process limiter: calls spread over the tokens, each within its own limit; a
// token VK rejects (error 5) leaves the pool with a report and its calls move on;
// batching sends one execute per token; tokens a call or a subclass brings win.
// (test/redis/ runs pools over the Redis store.)

import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, VkError, type APIOptions } from '../../src/index.js';
import type { ApiCall } from '../../src/core/calls.js';
import type { TokenPoolOptions } from '../../src/sessions/api.js';
import type { TokenRejection } from '../../src/pipeline/token-pool.js';
import { parseBatchScript } from '../../src/testing/execute.js';
import { PerTokenRateLimit } from '../../src/testing/faults.js';
import { json, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { getUser } from '../support/clients.js';

let server: FakeVk;
let limit: PerTokenRateLimit;
let removeGate: () => void = () => {};
/** Tokens the fake VK answers error 5 for. */
const revoked = new Set<string>();
const clients: API[] = [];
let tokenCount = 0;

function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.POOL_TEST_${tokenCount}_${process.pid}_abcdefghijklmnopqrstuvwxyz`;
}

function pool(tokens: string[], options: Omit<TokenPoolOptions, 'accessToken'> = {}): API {
  const api = new API({
    apiBaseUrl: server.apiBaseUrl,
    retryDelay: { initial: 20, max: 200 },
    onTokenRejected: () => {},
    ...options,
    accessToken: tokens,
  });
  clients.push(api);
  return api;
}


const sentOn = (token: string) => server.requests.filter((request) => request.params['access_token'] === token);
const ids = (count: number) => Array.from({ length: count }, (_, i) => i);

before(async () => {
  server = await startFakeVk();
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
  server.gate(async (request, _method, next) =>
    revoked.has(request.params['access_token'] ?? '')
      ? json({
          error: {
            error_code: 5,
            error_msg: 'User authorization failed: invalid access_token (4).',
            request_params: [],
          },
        })
      : next(),
  );
  // Modules the first call loads (validators, undici) load now, not during a test's burst of calls.
  const warmUp = new API({ apiBaseUrl: server.apiBaseUrl, accessToken: 'warm-up', rateLimit: false });
  await warmUp.users.get({ user_ids: [0] });
  await warmUp.close();
});

beforeEach(() => {
  removeGate();
  limit = new PerTokenRateLimit(3);
  removeGate = server.gate(limit.gate);
  server.requests.length = 0;
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

describe('spreading calls', () => {
  test('27 calls over 3 tokens at 3/s: 9 on each, each within its limit, the three side by side', async () => {
    const tokens = [freshToken(), freshToken(), freshToken()];
    const api = pool(tokens, { rateLimit: 3 });
    assert.deepEqual(await Promise.all(ids(27).map((id) => getUser(api, id))), ids(27));
    assert.equal(limit.refused, 0);
    for (const token of tokens) {
      assert.equal(sentOn(token).length, 9);
      assert.equal(limit.busiestWindow(token), 3);
    }
    const firstNine = limit.accepted.slice(0, 9).map((request) => tokens.indexOf(request.token));
    assert.deepEqual(firstNine.sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  test('with batching, each execute goes out on one token, and the batches spread over the pool', async () => {
    const tokens = [freshToken(), freshToken(), freshToken()];
    const api = pool(tokens, { rateLimit: 3, batching: true });
    assert.deepEqual(await Promise.all(ids(60).map((id) => getUser(api, id))), ids(60));
    const executes = server.requests.filter((request) => request.path === '/method/execute');
    assert.ok(executes.length >= 3);
    for (const token of tokens) assert.ok(sentOn(token).length >= 1, 'every token carried batches');
    const batched = executes.flatMap((request) =>
      parseBatchScript(request.params['code']!).map((call) => call.params['user_ids']),
    );
    assert.deepEqual(
      batched.map(Number).sort((a, b) => a - b),
      ids(60),
      'each call in one execute',
    );
  });

  test('a call that brings its own access_token is sent on it, not on the pool', async () => {
    const [pooled, own] = [freshToken(), freshToken()];
    const api = pool([pooled]);
    await api.callMethod('users.get', { user_ids: [1], access_token: own });
    assert.equal(sentOn(own).length, 1);
    assert.equal(sentOn(pooled).length, 0);
  });

  test('a subclass whose accessTokenFor returns a token wins over the pool; one that defers to API gets the pool', async () => {
    const [pooled, chosen] = [freshToken(), freshToken()];
    class Picking extends API {
      protected override async accessTokenFor(call: ApiCall): Promise<string | undefined> {
        return call.method === 'users.get' ? chosen : super.accessTokenFor(call);
      }
    }
    const api = new Picking({ apiBaseUrl: server.apiBaseUrl, accessToken: [pooled] });
    clients.push(api);
    server.reply('utils.getServerTime', 1);
    await getUser(api, 1);
    await api.utils.getServerTime();
    assert.deepEqual(
      server.requests.map((request) => [request.path, request.params['access_token']]),
      [
        ['/method/users.get', chosen],
        ['/method/utils.getServerTime', pooled],
      ],
    );
  });
});

describe('a token VK rejects (error 5)', () => {
  test('leaves the pool, reported once; its calls move to the tokens left, and none is sent on it again', async () => {
    const [good, bad, other] = [freshToken(), freshToken(), freshToken()];
    revoked.add(bad);
    const rejections: TokenRejection[] = [];
    const api = pool([good, bad, other], { rateLimit: 3, onTokenRejected: (rejection) => rejections.push(rejection) });
    assert.deepEqual(await Promise.all(ids(12).map((id) => getUser(api, id))), ids(12));
    assert.equal(rejections.length, 1);
    const [rejection] = rejections;
    assert.equal(rejection!.index, 1);
    assert.equal(rejection!.token, 'vk1.***');
    assert.equal(rejection!.remaining, 2);
    assert.ok(rejection!.error instanceof ApiError && rejection!.error.code === 5);
    // The calls picked for it at once: 3 met error 5 together; the 4th, waiting for its limiter, moved without being sent.
    assert.equal(sentOn(bad).length, 3);
    const before = sentOn(bad).length;
    await Promise.all(ids(6).map((id) => getUser(api, id)));
    assert.equal(sentOn(bad).length, before, 'never used again');
  });

  test('by default, one console.warn line with the token censored', async () => {
    const [good, bad] = [freshToken(), freshToken()];
    revoked.add(bad);
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args.join(' '));
    try {
      const api = new API({ apiBaseUrl: server.apiBaseUrl, accessToken: [bad, good] });
      clients.push(api);
      await getUser(api, 1);
    } finally {
      console.warn = warn;
    }
    assert.equal(warned.length, 1);
    assert.match(warned[0]!, /token 0 of the pool \(vk1\.\*\*\*\).*1 left/);
    assert.ok(!warned[0]!.includes(bad.slice(4)), warned[0]);
  });

  test('the pool fails only when no token is left: the last error 5 as it came, then "no token left", nothing sent', async () => {
    const tokens = [freshToken(), freshToken()];
    for (const token of tokens) revoked.add(token);
    const api = pool(tokens);
    await assert.rejects(getUser(api, 1), (error) => error instanceof ApiError && error.code === 5);
    const sent = server.requests.length;
    await assert.rejects(
      getUser(api, 2),
      (error) => error instanceof VkError && /No token left in the pool/.test(error.message),
    );
    assert.equal(server.requests.length, sent);
  });

  test('a batch on a token VK rejects goes again on another, each call getting its own result', async () => {
    const [bad, good] = [freshToken(), freshToken()];
    revoked.add(bad);
    const api = pool([bad, good], { rateLimit: 3, batching: true });
    assert.deepEqual(await Promise.all(ids(30).map((id) => getUser(api, id))), ids(30));
    assert.ok(sentOn(good).every((request) => request.path === '/method/execute'));
    assert.equal(sentOn(bad).length, 1, 'one execute met the error 5; the other batch waiting on it moved');
  });
});

describe('options', () => {
  test('a pool that is empty, holds a non-string or an empty string, or one token twice is refused, never naming a token', () => {
    const token = freshToken();
    const refused = (accessToken: unknown) => () => new API({ accessToken } as APIOptions);
    assert.throws(refused([]), /list of tokens is empty/);
    assert.throws(refused([token, '']), /item 1 of the list is not a non-empty string/);
    assert.throws(refused([token, 7]), /item 1/);
    assert.throws(refused([token, freshToken(), token]), (error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /items 0 and 2 of the list are the same token/);
      assert.ok(!error.message.includes(token));
      return true;
    });
  });

  test('printing a pooled session shows that it holds tokens, never one of them', () => {
    const tokens = [freshToken(), freshToken()];
    const api = pool(tokens);
    for (const printed of [inspect(api), JSON.stringify(api)]) {
      assert.match(printed, /authorized/);
      for (const token of tokens) assert.ok(!printed.includes(token), printed);
    }
    assert.equal((api.toJSON() as { authorized: boolean }).authorized, true);
  });
});
