// Every loop a server controls is bounded, and close() frees what the session holds:
// its queued calls fail at once with "The client is closed" and give their place in
// the token's queue (shared by every session on the token) to the others; calls in
// flight settle. Pagination stops when pages bring nothing new; retries of errors
// 6, handler re-sends and batch retries all end.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, ApiErrorCode, TransportError, VkError, type APIOptions } from '../../src/index.js';
import { sharedLimiter } from '../../src/pipeline/rate-limit.js';
import { FakeApiError, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { TestClients } from '../support/clients.js';
import { rejection } from '../support/rejection.js';

const bounded = { timeout: 4000 };
let server: FakeVk;
let tokenSerial = 0;
/** A token of its own per test: the limiter is shared per token by the whole process. */
const freshToken = () => `vk1.a.BOUNDS_TEST_TOKEN_${process.pid}_${(tokenSerial += 1)}`;
let token = freshToken();
const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

const requestsTo = (method: string) => server.requests.filter((request) => request.path === `/method/${method}`).length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether `promise` has settled by now (after the current turn's callbacks). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => setImmediate(() => resolve(pending))),
  ]);
  return outcome !== pending;
}
const isClosed = (error: unknown) => error instanceof VkError && error.message === 'The client is closed';

/** Math.random pinned to 1: backoffs take their longest, so a test is sure to meet one. */
async function longestBackoffs<T>(run: () => Promise<T>): Promise<T> {
  const random = Math.random;
  Math.random = () => 1;
  try {
    return await run();
  } finally {
    Math.random = random;
  }
}

before(async () => {
  server = await startFakeVk();
});

beforeEach(() => {
  token = freshToken();
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
  server.requests.length = 0;
});

afterEach(() => clients.closeAll());

after(() => server.close());

describe('close()', () => {
  test('rejects the calls queued behind the rate limit at once, with "The client is closed"', bounded, async () => {
    const api = client({ rateLimit: 1 });
    const first = api.users.get({ user_ids: [1] });
    const queued = [2, 3, 4].map((id) => rejection(api.users.get({ user_ids: [id] })));
    await first;
    await api.close();
    for (const call of queued) assert.ok(await settled(call), 'rejected by the time close() resolved');
    assert.ok((await Promise.all(queued)).every(isClosed));
    assert.equal(requestsTo('users.get'), 1, 'no queued call was sent');
  });

  test("gives the token's queue back to other sessions on the same token at once", bounded, async () => {
    const closing = client({ rateLimit: 1 });
    const other = client({ rateLimit: 1 });
    await closing.users.get({ user_ids: [1] });
    const queued = [2, 3, 4, 5].map((id) => rejection(closing.users.get({ user_ids: [id] })));
    const others = other.users.get({ user_ids: [9] });
    const limiter = sharedLimiter(token);
    while (limiter.queued < 5) await pause(5);
    await closing.close();
    assert.equal(limiter.queued, 1, "only the other session's call still waits");
    assert.deepEqual(await others, [{ id: 9 }]);
    assert.ok((await Promise.all(queued)).every(isClosed));
  });

  test('lets a call in flight settle with its reply', bounded, async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    server.reply('users.get', async () => (await released, [{ id: 1 }]));
    const api = client();
    const inFlight = api.users.get({ user_ids: [1] });
    while (requestsTo('users.get') === 0) await pause(5);
    const closed = api.close();
    release();
    await closed;
    assert.deepEqual(await inFlight, [{ id: 1 }]);
  });

  test('rejects a call waiting out its backoff at once, without a retry', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 10, error_msg: 'Internal server error' }));
    await longestBackoffs(async () => {
      const api = client({ maxRetries: 2, retryDelay: { initial: 3000, max: 3000 } });
      const call = rejection(api.users.get({ user_ids: [1] }));
      while (requestsTo('users.get') === 0) await pause(5);
      await pause(20);
      await api.close();
      assert.ok(await settled(call), 'rejected by the time close() resolved');
      assert.ok(isClosed(await call));
      assert.equal(requestsTo('users.get'), 1);
    });
  });

  test('rejects batched calls waiting for the limiter at once', bounded, async () => {
    const api = client({ batching: true, rateLimit: 1 });
    await api.users.get({ user_ids: [1] });
    const queued = [2, 3, 4].map((id) => rejection(api.users.get({ user_ids: [id] })));
    await pause(20);
    await api.close();
    for (const call of queued) assert.ok(await settled(call), 'rejected by the time close() resolved');
    assert.ok((await Promise.all(queued)).every(isClosed));
    assert.equal(sharedLimiter(token).queued, 0, 'the batch left the queue');
  });

  test('rejects batched calls waiting to retry after error 6 inside the execute at once', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 6, error_msg: 'Too many requests per second' }));
    await longestBackoffs(async () => {
      const api = client({ batching: true, maxRetries: 2, retryDelay: { initial: 3000, max: 3000 } });
      const calls = [1, 2].map((id) => rejection(api.users.get({ user_ids: [id] })));
      while (requestsTo('execute') === 0) await pause(5);
      await pause(30);
      await api.close();
      for (const call of calls) assert.ok(await settled(call), 'rejected by the time close() resolved');
      assert.ok((await Promise.all(calls)).every(isClosed));
      assert.equal(requestsTo('execute'), 1);
    });
  });

  test('a call made after close() fails at once and never waits for the limiter', bounded, async () => {
    const api = client({ rateLimit: 1 });
    await api.users.get({ user_ids: [1] });
    await api.close();
    const late = rejection(api.users.get({ user_ids: [2] }));
    assert.equal(sharedLimiter(token).queued, 0);
    assert.ok(isClosed(await late));
  });
});

describe('the limiter', () => {
  test('a request that never went onto the socket gives its grant back', bounded, async () => {
    const refusing = http.createServer();
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const { port } = refusing.address() as AddressInfo;
    await new Promise((resolve) => refusing.close(resolve)); // the port now refuses connections
    const api = client({ rateLimit: 1, apiBaseUrl: `http://127.0.0.1:${port}/method` });
    assert.ok((await rejection(api.users.get({ user_ids: [1] }))) instanceof TransportError);
    const next = sharedLimiter(token).acquire(1);
    assert.ok(await settled(next), 'granted at once: the refused request never counted');
    (await next).cancel();
  });
});

describe('pagination ends when pages bring nothing new', () => {
  const samePage = {
    items: [
      { id: 1, owner_id: 1 },
      { id: 2, owner_id: 1 },
    ],
  };

  test('a server that repeats one page with count 10^9 is asked a few times, not ten million', bounded, async () => {
    server.reply('wall.get', (params) =>
      requestsTo('wall.get') > 50
        ? new FakeApiError({ error_code: 1, error_msg: 'runaway' })
        : { count: 1e9, ...samePage },
    );
    const items: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const item of client().paginate('wall.get', { owner_id: 1 })) items.push(item);
      })(),
    );
    assert.ok(error instanceof VkError && !(error instanceof ApiError), String(error));
    assert.match((error as Error).message, /already yielded/);
    assert.equal(items.length, 2);
    assert.ok(requestsTo('wall.get') <= 6, `${requestsTo('wall.get')} pages`);
  });

  test('the same, 25 pages per execute: the walk stops inside the first batch', bounded, async () => {
    server.reply('wall.get', (params) =>
      requestsTo('execute') > 5
        ? new FakeApiError({ error_code: 1, error_msg: 'runaway' })
        : { count: 1e9, ...samePage },
    );
    const error = await rejection(
      (async () => {
        for await (const _ of client().paginate('wall.get', { owner_id: 1 }, { executePages: true, pageSize: 2 }));
      })(),
    );
    assert.match((error as Error).message, /already yielded/);
    assert.equal(requestsTo('execute'), 1);
  });

  test(
    'a count that shrinks by one every page, with the same items: stops, not a step back per page',
    bounded,
    async () => {
      let count = 1e9;
      server.reply('wall.get', () =>
        requestsTo('wall.get') > 50
          ? new FakeApiError({ error_code: 1, error_msg: 'runaway' })
          : { count: (count -= 1), ...samePage },
      );
      const error = await rejection(
        (async () => {
          for await (const _ of client().paginate('wall.get', { owner_id: 1 }));
        })(),
      );
      assert.match((error as Error).message, /already yielded/);
      assert.ok(requestsTo('wall.get') <= 6, `${requestsTo('wall.get')} pages`);
    },
  );

  test(
    'a count that swings by a page every call, with the same items: stops after a few dozen pages',
    bounded,
    async () => {
      server.reply('wall.get', () =>
        requestsTo('wall.get') > 200
          ? new FakeApiError({ error_code: 1, error_msg: 'runaway' })
          : { count: requestsTo('wall.get') % 2 === 0 ? 1e9 : 1e9 - 100, ...samePage },
      );
      const error = await rejection(
        (async () => {
          for await (const _ of client().paginate('wall.get', { owner_id: 1 }));
        })(),
      );
      assert.match((error as Error).message, /already yielded/);
      assert.ok(requestsTo('wall.get') <= 60, `${requestsTo('wall.get')} pages`);
    },
  );

  test('a list that grows by a whole page between two pages is still walked to its end', bounded, async () => {
    let wall = Array.from({ length: 300 }, (_, i) => ({ id: 300 - i, owner_id: 1 }));
    server.reply('wall.get', (params) => {
      const offset = Number(params['offset']);
      if (offset === 100 && wall.length === 300)
        wall = [...Array.from({ length: 100 }, (_, i) => ({ id: 400 - i, owner_id: 1 })), ...wall];
      return { count: wall.length, items: wall.slice(offset, offset + Number(params['count'])) };
    });
    const ids: number[] = [];
    for await (const post of client().paginate('wall.get', { owner_id: 1 })) ids.push((post as { id: number }).id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.ok(ids.includes(1), 'reached the end of the list');
  });
});

describe('retry loops end', () => {
  test('error 6 on every request: the call fails after maxRetries, the limiter pausing between', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 6, error_msg: 'Too many requests per second' }));
    const api = client({ rateLimit: 100, maxRetries: 1, retryDelay: { initial: 1, max: 1 } });
    const error = await rejection(api.users.get({ user_ids: [1] }));
    assert.ok(error instanceof ApiError && error.code === 6);
    assert.equal(requestsTo('users.get'), 2);
  });

  test('error 6 for every call inside every execute: each batched call fails after its retries', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 6, error_msg: 'Too many requests per second' }));
    const api = client({ batching: true, maxRetries: 2, retryDelay: { initial: 1, max: 2 } });
    const errors = await Promise.all([1, 2, 3].map((id) => rejection(api.users.get({ user_ids: [id] }))));
    assert.ok(errors.every((error) => error instanceof ApiError && error.code === 6));
    assert.ok(requestsTo('execute') + requestsTo('users.get') <= 9, 'three attempts per call at most');
  });

  test('a handler that always retries is stopped by maxHandlerRetries', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 15, error_msg: 'Access denied' }));
    const api = client({
      maxHandlerRetries: 3,
      apiErrorHandlers: { [ApiErrorCode.Access]: (_error, request) => request.retry() },
    });
    const error = await rejection(api.users.get({ user_ids: [1] }));
    assert.ok(error instanceof ApiError && error.code === 15);
    assert.equal(requestsTo('users.get'), 4);
  });

  test('a captcha on every answer is answered captchaAttempts times, then the call fails', bounded, async () => {
    server.reply(
      'users.get',
      new FakeApiError({
        error_code: 14,
        error_msg: 'Captcha needed',
        captcha_sid: '5',
        captcha_img: 'https://vk.ru/c.png',
      }),
    );
    const api = client({ captchaAttempts: 2, getCaptchaKey: () => 'guess' });
    const error = await rejection(api.users.get({ user_ids: [1] }));
    assert.ok(error instanceof ApiError && error.code === 14);
    assert.equal(requestsTo('users.get'), 3);
  });
});
