// The Redis rate limit store against a real redis-server the tests start (on a free
// loopback port, stopped at the end) and the fake VK server, which counts each
// token's requests per second and answers error 6 past its limit: worker processes
// sharing one token, Redis stopped, paused or unreachable, token pools, the keys.
// The one timing figure asserted (total time within 15% of ideal) is the issue's own.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createClient } from 'redis';
import { API, ApiError, type APIOptions } from '../../src/index.js';
import type { TokenPoolOptions } from '../../src/sessions/api.js';
import { RateLimitStoreError, RedisRateLimitStore, type RedisStoreStatus } from '../../src/redis/index.js';
import { tokenKey } from '../../src/pipeline/rate-limit-store.js';
import { FaultPlan, PerTokenRateLimit } from '../../src/testing/faults.js';
import type { WorkerReport } from '../fakes/limiter-worker.js';
import { freePort, startRedisServer, type RedisServer } from '../fakes/redis-server.js';
import { json, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { getUser } from '../support/clients.js';
import { repoRoot } from '../support/paths.js';

let redis: RedisServer;
let server: FakeVk;
let limit: PerTokenRateLimit;
let faults: FaultPlan;
let removeGates: () => void = () => {};
let tokenCount = 0;
const closing: { close(): Promise<void> }[] = [];

/** A token no other test uses: limits are per token. */
function freshToken(): string {
  tokenCount += 1;
  return `vk1.a.REDIS_TEST_${tokenCount}_${process.pid}_abcdefghijklmnopqrstuvwxyz`;
}

/** The fake VK's per-token limit, with a fresh fault plan behind it. */
function serverLimit(perSecond: number): void {
  removeGates();
  limit = new PerTokenRateLimit(perSecond);
  faults = new FaultPlan();
  const removers = [server.gate(limit.gate), server.gate(faults.gate)];
  removeGates = () => removers.forEach((remove) => remove());
}

function store(options: Partial<ConstructorParameters<typeof RedisRateLimitStore>[0]> = {}): RedisRateLimitStore {
  const made = new RedisRateLimitStore({ url: redis.url, onStatus: () => {}, ...options } as ConstructorParameters<
    typeof RedisRateLimitStore
  >[0]);
  closing.push(made);
  return made;
}

function client(options: APIOptions): API {
  const api = new API({ apiBaseUrl: server.apiBaseUrl, retryDelay: { initial: 20, max: 200 }, ...options });
  closing.push(api);
  return api;
}

function pooled(tokens: string[], options: Omit<TokenPoolOptions, 'accessToken'>): API {
  const api = new API({
    apiBaseUrl: server.apiBaseUrl,
    retryDelay: { initial: 20, max: 200 },
    ...options,
    accessToken: tokens,
  });
  closing.push(api);
  return api;
}


const accepted = (token: string) => limit.accepted.filter((request) => request.token === token);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded by the test's timeout) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await pause(10);
}

/** Statuses a store reports, in order. */
function statusLog(): { statuses: RedisStoreStatus[]; onStatus: (status: RedisStoreStatus) => void } {
  const statuses: RedisStoreStatus[] = [];
  return { statuses, onStatus: (status) => statuses.push(status) };
}

/** A plain client of the test's own, to look at the keys. */
async function inspector() {
  // Fails at once, rather than retrying until the test times out, if Redis is not there.
  const look = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
  look.on('error', () => {});
  await look.connect();
  closing.push({ close: () => look.close() });
  return look;
}

before(async () => {
  redis = await startRedisServer();
  server = await startFakeVk();
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
  // Modules the first call loads (validators, undici) load now, not during a test's burst of calls.
  const warmUp = new API({ apiBaseUrl: server.apiBaseUrl, accessToken: 'warm-up', rateLimit: false });
  await warmUp.users.get({ user_ids: [0] });
  await warmUp.close();
});

beforeEach(() => serverLimit(20));

after(async () => {
  for (const each of closing.splice(0).reverse()) await each.close();
  await server.close();
  await redis.stop();
});

interface Worker {
  readonly ready: Promise<void>;
  go(): void;
  readonly report: Promise<WorkerReport>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fakes/limiter-worker.ts'], {
    cwd: repoRoot,
    env: { ...process.env, VK_API_BASE_URL: server.apiBaseUrl, REDIS_URL: redis.url, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // The fake VK (this process) stands for VK's servers: when the machine is busy, it
  // must see requests as they come, not after the workers that send them.
  setPriority(child.pid!, 5);
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit');
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      void exited.then(([code]) => reject(new Error(`the worker exited with ${code}`)));
    });
  const ready = next().then((line) => assert.equal(line, 'ready'));
  return {
    ready,
    go: () => child.stdin.write('go\n'),
    report: ready.then(next).then(async (line) => {
      const [code] = await exited;
      assert.equal(code, 0, 'the worker exited with an error');
      return JSON.parse(line) as WorkerReport;
    }),
  };
}

describe('worker processes sharing one token', () => {
  test(
    'three workers, 40 concurrent calls each, at 20/s: never over the limit, within 15% of ideal, nothing lost',
    { timeout: 45_000 },
    async () => {
      const [workers, calls, perSecond] = [3, 40, 20];
      const token = freshToken();
      serverLimit(perSecond);
      const started = Array.from({ length: workers }, (_, worker) =>
        startWorker({
          TOKEN: token,
          CALLS: String(calls),
          FIRST_ID: String(worker * 1000),
          RATE_LIMIT: String(perSecond),
        }),
      );
      await Promise.all(started.map((worker) => worker.ready));
      for (const worker of started) worker.go();
      const reports = await Promise.all(started.map((worker) => worker.report));

      const expected = started.flatMap((_, worker) => Array.from({ length: calls }, (_, i) => worker * 1000 + i));
      assert.deepEqual(
        reports.flatMap((report) => report.failures),
        [],
      );
      assert.deepEqual(reports.flatMap((report) => report.ids).sort(), expected.sort(), 'every call got its own reply');
      assert.deepEqual(
        reports.flatMap((report) => report.statuses),
        [],
        'Redis stayed available',
      );
      const arrivals = accepted(token);
      assert.equal(limit.refused, 0, 'error 6 replies');
      assert.equal(arrivals.length, workers * calls, 'each call reached VK once');
      assert.ok(limit.busiestWindow(token) <= perSecond, `${limit.busiestWindow(token)} requests in one second`);
      // Ideal: 20 at once, then 20 a second: the last of 120 starts at floor(119 / 20) = 5 s.
      const idealMs = Math.floor((workers * calls - 1) / perSecond) * 1000;
      const spanMs = arrivals.at(-1)!.at - arrivals[0]!.at;
      assert.ok(spanMs <= idealMs * 1.15, `first to last request ${Math.round(spanMs)} ms, ideal ${idealMs} ms`);
    },
  );
});

describe('Redis trouble: calls go on under the in-process limiter (or fail, if asked to), never hang', () => {
  test('Redis stopped mid-run: the calls go on, reported once; back when Redis is', { timeout: 30_000 }, async () => {
    const token = freshToken();
    const { statuses, onStatus } = statusLog();
    const shared = store({ onStatus });
    serverLimit(10);
    const api = client({ accessToken: token, rateLimit: 10, rateLimitStore: shared });
    const calls = Array.from({ length: 40 }, (_, i) => getUser(api, i));
    await until(() => accepted(token).length >= 12);
    await redis.stop();
    try {
      assert.deepEqual(
        await Promise.all(calls),
        Array.from({ length: 40 }, (_, i) => i),
        'none lost, none hung',
      );
      assert.deepEqual(
        statuses.map((status) => status.available),
        [false],
      );
      assert.ok(!statuses[0]!.available && statuses[0]!.error instanceof RateLimitStoreError);
      assert.equal(limit.refused, 0, 'one process: its own limiter alone keeps to the limit');
    } finally {
      await redis.restart();
    }
    await until(() => statuses.length === 2);
    assert.equal(statuses[1]!.available, true);
    await getUser(api, 100);
    const look = await inspector();
    assert.equal(await look.exists(`vk-typed:rate-limit:{${tokenKey(token)}}`), 1, 'Redis keeps the window again');
  });

  test(
    "whenUnavailable: 'fail': with Redis unreachable, calls fail at once with a RateLimitStoreError, nothing sent",
    { timeout: 10_000 },
    async () => {
      const token = freshToken();
      const closedPort = await freePort();
      const { statuses, onStatus } = statusLog();
      const failing = store({ url: `redis://127.0.0.1:${closedPort}`, whenUnavailable: 'fail', onStatus });
      const api = client({ accessToken: token, rateLimitStore: failing, maxRetries: 0 });
      const outcomes = await Promise.allSettled([0, 1, 2].map((id) => getUser(api, id)));
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(outcome.reason instanceof RateLimitStoreError, String(outcome.reason));
      }
      assert.equal(accepted(token).length, 0);
      assert.equal(statuses[0]?.available, false);
    },
  );

  test('Redis unreachable from the start: calls go on under the in-process limiter', { timeout: 10_000 }, async () => {
    const token = freshToken();
    const closedPort = await freePort();
    const { statuses, onStatus } = statusLog();
    serverLimit(3);
    const api = client({
      accessToken: token,
      rateLimit: 3,
      rateLimitStore: store({ url: `redis://127.0.0.1:${closedPort}`, onStatus }),
    });
    assert.deepEqual(await Promise.all([0, 1, 2, 3, 4].map((id) => getUser(api, id))), [0, 1, 2, 3, 4]);
    assert.equal(limit.refused, 0);
    assert.equal(statuses.length, 1);
  });

  test(
    'a stuck Redis (SIGSTOP) costs a call no more than its timeout; what Redis runs late grants nothing',
    { timeout: 20_000 },
    async () => {
      const token = freshToken();
      const { statuses, onStatus } = statusLog();
      // Redis may take 5 s by the store's setting, but a call's timeout (300 ms) is shorter.
      const api = client({
        accessToken: token,
        timeout: 300,
        rateLimitStore: store({ commandTimeout: 5000, onStatus }),
      });
      await getUser(api, 0);
      redis.pause();
      try {
        assert.deepEqual(await Promise.all([1, 2].map((id) => getUser(api, id))), [1, 2]);
        assert.equal(statuses[0]?.available, false);
      } finally {
        redis.resume();
      }
      await until(() => statuses.length === 2);
      // The scripts Redis ran after the pause were past their deadline: no grant is left waiting for a write.
      const look = await inspector();
      const [seconds, micros] = (await look.sendCommand(['TIME'])) as [string, string];
      const now = Number(seconds) * 1000 + Number(micros) / 1000;
      const scores = await look.zRangeWithScores(`vk-typed:rate-limit:{${tokenKey(token)}}`, 0, -1);
      assert.ok(
        scores.every(({ score }) => score <= now + 100),
        `scores ${scores.map((s) => s.score - now).join(', ')} ms from now`,
      );
    },
  );

  test(
    'a call aborted while it waits on Redis rejects with the reason, and gives its place back',
    { timeout: 10_000 },
    async () => {
      const token = freshToken();
      serverLimit(1);
      const api = client({ accessToken: token, rateLimit: 1, rateLimitStore: store() });
      await getUser(api, 0);
      const controller = new AbortController();
      const reason = new Error('gave up');
      const aborted = api.users.get({ user_ids: [1] }, { signal: controller.signal });
      const later = getUser(api, 2);
      controller.abort(reason);
      await assert.rejects(aborted, (error) => error === reason);
      assert.equal(await later, 2);
      assert.deepEqual(
        accepted(token).map(() => 'sent'),
        ['sent', 'sent'],
      );
    },
  );

  test('close() fails the calls waiting on Redis, and later calls', { timeout: 10_000 }, async () => {
    const token = freshToken();
    const own = store();
    const api = client({ accessToken: token, rateLimit: 1, rateLimitStore: own });
    await getUser(api, 0);
    const waiting = getUser(api, 1);
    await pause(50);
    await own.close();
    await assert.rejects(waiting, (error) => error instanceof RateLimitStoreError && /closed/.test(error.message));
    await assert.rejects(getUser(api, 2), RateLimitStoreError);
  });
});

describe('keys', () => {
  test("a token's keys hold a hash of it, never the token, and expire", { timeout: 10_000 }, async () => {
    const token = freshToken();
    const api = client({ accessToken: token, rateLimitStore: store(), maxRetries: 0 });
    await getUser(api, 0);
    faults.inject('users.get', 'error-6');
    await assert.rejects(getUser(api, 1), (error) => error instanceof ApiError && error.code === 6);
    const look = await inspector();
    const window = `vk-typed:rate-limit:{${tokenKey(token)}}`;
    // The pause after error 6 reaches Redis in the background, for every process to see.
    await until(async () => (await look.exists(`${window}:pause`)) === 1);
    const keys = await look.keys('vk-typed:rate-limit:*');
    assert.ok(keys.includes(window), `keys: ${keys.join(', ')}`);
    assert.ok(keys.every((key) => !key.includes(token) && !key.includes(token.slice(6, 26))));
    const windowTtl = await look.pTTL(window);
    assert.ok(windowTtl > 0 && windowTtl <= 10_000 + 1000 + 1, `the window expires in ${windowTtl} ms`);
    const pauseTtl = await look.pTTL(`${window}:pause`);
    assert.ok(pauseTtl > 0 && pauseTtl <= 1000, `the pause expires in ${pauseTtl} ms`);
  });

  test('printing the store shows no password, nor does its report', { timeout: 10_000 }, async () => {
    const password = 'redis-password-that-must-not-show';
    const { statuses, onStatus } = statusLog();
    const closedPort = await freePort();
    const secretive = store({ url: `redis://:${password}@127.0.0.1:${closedPort}`, onStatus });
    await until(() => statuses.length > 0);
    const printed = [inspect(secretive), JSON.stringify(secretive), ...statuses.map((status) => inspect(status))];
    for (const text of printed) assert.ok(!text.includes(password), text);
  });

  test('a client of your own: used as it is, left open by close()', { timeout: 10_000 }, async () => {
    const token = freshToken();
    const own = await inspector();
    const shared = store({ url: undefined, client: own });
    const api = client({ accessToken: token, rateLimitStore: shared });
    assert.deepEqual(await Promise.all([0, 1].map((id) => getUser(api, id))), [0, 1]);
    await shared.close();
    assert.equal(await own.exists(`vk-typed:rate-limit:{${tokenKey(token)}}`), 1);
  });
});

describe('token pools over Redis', () => {
  test('a pool of three tokens: each token within its own limit, in its own key', { timeout: 20_000 }, async () => {
    const tokens = [freshToken(), freshToken(), freshToken()];
    serverLimit(3);
    const api = pooled(tokens, { rateLimit: 3, rateLimitStore: store() });
    const ids = Array.from({ length: 27 }, (_, i) => i);
    assert.deepEqual(await Promise.all(ids.map((id) => getUser(api, id))), ids);
    assert.equal(limit.refused, 0);
    for (const token of tokens) {
      assert.equal(accepted(token).length, 9, 'the calls spread evenly');
      assert.ok(limit.busiestWindow(token) <= 3);
    }
    // The three tokens ran side by side: the first nine requests were three on each.
    const firstNine = limit.accepted.slice(0, 9).map((request) => tokens.indexOf(request.token));
    assert.deepEqual(firstNine.sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const look = await inspector();
    for (const token of tokens) assert.equal(await look.exists(`vk-typed:rate-limit:{${tokenKey(token)}}`), 1);
  });

  test(
    'a token VK rejects leaves the pool, reported once; its calls move to the others',
    { timeout: 20_000 },
    async () => {
      const [good, bad, other] = [freshToken(), freshToken(), freshToken()];
      server.gate(async (request, method, next) =>
        request.params['access_token'] === bad
          ? json({
              error: {
                error_code: 5,
                error_msg: 'User authorization failed: invalid access_token (4).',
                request_params: [],
              },
            })
          : next(),
      );
      const rejections: { index: number; token: string; remaining: number; code: number }[] = [];
      const api = pooled([good, bad, other], {
        rateLimit: 3,
        rateLimitStore: store(),
        onTokenRejected: ({ index, token, remaining, error }) =>
          rejections.push({ index, token, remaining, code: error.code }),
      });
      const ids = Array.from({ length: 12 }, (_, i) => i);
      assert.deepEqual(await Promise.all(ids.map((id) => getUser(api, id))), ids);
      assert.deepEqual(rejections, [{ index: 1, token: 'vk1.***', remaining: 2, code: 5 }]);
      assert.equal(accepted(good).length + accepted(other).length, 12, 'every call served on the tokens left');
      const sentOnBad = server.requests.filter((request) => request.params['access_token'] === bad).length;
      assert.ok(sentOnBad >= 1 && sentOnBad <= 3, `${sentOnBad} requests on the rejected token`);
      assert.ok(
        !(await api.users.get({ user_ids: [99] }).then(
          () => false,
          (error) => error instanceof ApiError,
        )),
      );
    },
  );
});
