// Automatic execute batching against the fake VK server, whose execute runs the
// batch scripts call by call: each caller gets its own result or its own error,
// methods that cannot run inside execute go alone, and the batches keep to the
// token's rate limit.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, TransportError, VkError, type APIOptions, type CallOptions } from '../../src/index.js';
import { FakeApiError, json, startFakeVk, type FakeVk, type RecordedRequest } from '../../src/testing/fake-vk.js';
import { matchExecuteErrors } from '../../src/pipeline/execute-outcomes.js';
import { MessageStore, PerTokenRateLimit, RandomIdLedger } from '../../src/testing/faults.js';
import { parseBatchScript } from '../../src/testing/execute.js';

const token = 'vk1.a.BATCH_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz';
const otherToken = 'vk1.a.BATCH_OTHER_TOKEN_0123456789abcdef';

let server: FakeVk;
let messages: MessageStore;
/** Times a users.get id has failed with error 10 (ids listed in `flaky`). */
const flaky = new Map<number, number>();
const clients: API[] = [];

/** Batching, no rate limit, fast retries. Params validation off: it loads each
 * method's validator on first use, which would hold a new method's first call
 * back past the turn its batch forms in, and these tests count batches. */
function client(options: APIOptions = {}): API {
  const api = new API({
    accessToken: token,
    apiBaseUrl: server.apiBaseUrl,
    batching: true,
    rateLimit: false,
    retryDelay: { initial: 5, max: 40 },
    validate: false,
    ...options,
  });
  clients.push(api);
  return api;
}

const executes = (): RecordedRequest[] => server.requests.filter((request) => request.path === '/method/execute');
const direct = (method: string): RecordedRequest[] =>
  server.requests.filter((request) => request.path === `/method/${method}`);
const scriptCalls = (request: RecordedRequest) => parseBatchScript(request.params['code'] ?? '');

async function outcome<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: Error) => error);
}

before(async () => {
  server = await startFakeVk({ tokens: [token, otherToken] });
  server.reply('users.get', async (params) => {
    const id = Number(params['user_ids']);
    if (id >= 1000) throw new FakeApiError({ error_code: 113, error_msg: 'Invalid user id' });
    const failures = flaky.get(id);
    if (failures !== undefined && failures > 0) {
      flaky.set(id, failures - 1);
      throw new FakeApiError({ error_code: 10, error_msg: 'Internal server error' });
    }
    return [{ id, v: params['v'] }];
  });
  server.reply('fake.slow', async (params) => {
    await new Promise((resolve) => setTimeout(resolve, Number(params['ms'])));
    return params['ms'];
  });
  server.reply('wall.get', (params) => {
    if (Number(params['owner_id']) < 0) throw new FakeApiError({ error_code: 15, error_msg: 'Access denied' });
    return { count: 0, items: [], owner: Number(params['owner_id']) };
  });
  // Outside the schema: a read (is*) and a write whose real result may be `false`.
  const flag = (params: Readonly<Record<string, string>>) => {
    const x = Number(params['x']);
    if (x % 3 === 0) throw new FakeApiError({ error_code: 100, error_msg: `x=${x} is not allowed` });
    return x % 3 === 2;
  };
  server.reply('fake.isFlag', flag);
  server.reply('fake.toggle', flag);
  server.reply('photos.saveMessagesPhoto', [{ id: 1, owner_id: 2 }]);
  server.reply('execute.myProcedure', 'procedure ran');
});

beforeEach(() => {
  server.requests.length = 0;
  messages = new MessageStore();
  server.reply('messages.send', messages.handler);
  flaky.clear();
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

describe('each caller gets its own outcome', () => {
  test('200 concurrent calls, some failing individually: each gets its own result or its own ApiError', async () => {
    const api = client();
    const calls = Array.from({ length: 200 }, (_, i) => {
      if (i % 4 === 3)
        return {
          method: 'wall.get',
          arg: i % 8 === 7 ? -i : i,
          call: outcome(api.wall.get({ owner_id: i % 8 === 7 ? -i : i })),
        };
      const id = i % 10 === 0 ? 1000 + i : i;
      return { method: 'users.get', arg: id, call: outcome(api.users.get({ user_ids: [id] })) };
    });
    const results = await Promise.all(calls.map(({ call }) => call));

    results.forEach((result, i) => {
      const { method, arg } = calls[i]!;
      if (arg < 0 || arg >= 1000) {
        assert.ok(result instanceof ApiError, `call ${i}: ${String(result)}`);
        assert.equal(result.method, method);
        assert.equal(result.code, method === 'wall.get' ? 15 : 113);
        assert.equal(result.requestParamsRecord[method === 'wall.get' ? 'owner_id' : 'user_ids'], String(arg));
        assert.equal(result.requestParamsRecord['method'], method);
      } else if (method === 'wall.get') {
        assert.deepEqual(result, { count: 0, items: [], owner: arg });
      } else {
        assert.deepEqual(result, [{ id: arg, v: '5.199' }]);
      }
    });
    assert.equal(server.requests.length, 8, 'ceil(200 / 25) requests, all of them executes');
    assert.equal(executes().length, 8);
    assert.ok(executes().every((request) => scriptCalls(request).length === 25));
  });

  test("a real false is a result; the failed call's error is matched by method, not by position", async () => {
    const api = client();
    const [user, flag, wall] = await Promise.all([
      outcome(api.users.get({ user_ids: [1] })),
      outcome(api.call('fake.isFlag', { x: 1 })),
      outcome(api.wall.get({ owner_id: -1 })),
    ]);
    assert.deepEqual(user, [{ id: 1, v: '5.199' }]);
    assert.equal(flag, false);
    assert.ok(wall instanceof ApiError && wall.code === 15 && wall.method === 'wall.get');
    assert.equal(server.requests.length, 1, 'decided from the one execute');
  });

  test('when the reply cannot tell which same-method call failed, calls safe to repeat ask again alone', async () => {
    const api = client();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => outcome(api.call('fake.isFlag', { x }))));
    assert.equal(results[0], false);
    assert.equal(results[1], true);
    assert.ok(
      results[2] instanceof ApiError && results[2].code === 100 && results[2].errorMsg === 'x=3 is not allowed',
    );
    assert.equal(results[3], false);
    assert.equal(results[4], true);
    assert.ok(results[5] instanceof ApiError && results[5].errorMsg === 'x=6 is not allowed');
    assert.equal(executes().length, 1);
    assert.deepEqual(
      direct('fake.isFlag').map((request) => request.params['x']),
      ['1', '3', '4', '6'],
      'only the ambiguous false results were asked again',
    );
  });

  test('...and calls not safe to repeat fail with an error that says so, without a second send', async () => {
    const api = client();
    const results = await Promise.all([1, 2, 3].map((x) => outcome(api.call('fake.toggle', { x }))));
    assert.equal(results[1], true);
    for (const result of [results[0], results[2]]) {
      assert.ok(result instanceof VkError && !(result instanceof ApiError), String(result));
      assert.match(result.message, /fake\.toggle returned false inside an execute batch .* not safe to send twice/);
    }
    assert.equal(server.requests.length, 1);
  });

  test('an error of the whole execute reaches every caller', async () => {
    const api = client({ accessToken: 'vk1.a.NOT_ACCEPTED_TOKEN_xxxxxxxxxxxx' });
    const results = await Promise.all([1, 2, 3].map((id) => outcome(api.users.get({ user_ids: [id] }))));
    for (const result of results) assert.ok(result instanceof ApiError && result.code === 5);
    assert.equal(server.requests.length, 1);
  });

  test('an execute reply that does not fit the batch is a TransportError for each caller', async () => {
    const remove = server.route('/method/execute', () => json({ response: [1] }));
    try {
      const api = client();
      const results = await Promise.all([1, 2].map((id) => outcome(api.users.get({ user_ids: [id] }))));
      for (const result of results)
        assert.ok(result instanceof TransportError && /not a list of 2 results/.test(result.message));
    } finally {
      remove();
    }
  });

  test('a runtime error of the script: calls safe to repeat go again alone, others get the error', async () => {
    const remove = server.route('/method/execute', () =>
      json({
        error: { error_code: 13, error_msg: 'Runtime error occurred during code invocation: response size is too big' },
      }),
    );
    try {
      const api = client();
      const [first, second, like] = await Promise.all([
        outcome(api.users.get({ user_ids: [1] })),
        outcome(api.users.get({ user_ids: [2] })),
        outcome(api.likes.add({ type: 'post', owner_id: 1, item_id: 1 })),
      ]);
      assert.deepEqual([first, second], [[{ id: 1, v: '5.199' }], [{ id: 2, v: '5.199' }]]);
      assert.ok(like instanceof ApiError && like.code === 13, String(like));
      assert.equal(direct('likes.add').length, 0);
    } finally {
      remove();
    }
  });
});

describe('what goes into a batch', () => {
  test('methods that cannot run inside execute go alone; a lone call goes as itself', async () => {
    const api = client();
    const [a, b, photo, procedure, own] = await Promise.all([
      api.users.get({ user_ids: [1] }),
      api.users.get({ user_ids: [2] }),
      api.photos.saveMessagesPhoto({ photo: '[]', server: 1, hash: 'h' }),
      api.call('execute.myProcedure', {}),
      api.execute<unknown[]>({ code: 'return [API.users.get({"user_ids":"3"})];' }),
    ]);
    assert.deepEqual([a, b], [[{ id: 1, v: '5.199' }], [{ id: 2, v: '5.199' }]]);
    assert.deepEqual(photo, [{ id: 1, owner_id: 2 }]);
    assert.equal(procedure, 'procedure ran');
    assert.deepEqual(own.response, [[{ id: 3, v: '5.199' }]]);
    assert.equal(direct('photos.saveMessagesPhoto').length, 1);
    assert.equal(direct('execute.myProcedure').length, 1);
    const batched = executes().map((request) => scriptCalls(request).map((call) => call.method));
    assert.deepEqual(batched.sort(), [['users.get'], ['users.get', 'users.get']]);

    server.requests.length = 0;
    assert.deepEqual(await api.users.get({ user_ids: [4] }), [{ id: 4, v: '5.199' }]);
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ['/method/users.get'],
    );
  });

  test('calls with different tokens or versions go in different executes', async () => {
    const api = client();
    const byVersion = (id: number, v: string) => api.callMethod<{ v: string }[]>('users.get', { user_ids: [id], v });
    const results = await Promise.all([
      api.users.get({ user_ids: [1] }),
      api.users.get({ user_ids: [2] }),
      api.callMethod('users.get', { user_ids: [3], access_token: otherToken }),
      api.callMethod('users.get', { user_ids: [4], access_token: otherToken }),
      byVersion(5, '5.131'),
      byVersion(6, '5.131'),
    ]);
    assert.deepEqual(
      results.map((users) => (users as { v: string }[])[0]?.v),
      ['5.199', '5.199', '5.199', '5.199', '5.131', '5.131'],
    );
    const batches = executes().map((request) => ({
      token: request.params['access_token'],
      v: request.params['v'],
      ids: scriptCalls(request).map((call) => call.params['user_ids']),
    }));
    assert.deepEqual(
      batches.sort((x, y) => String(x.ids).localeCompare(String(y.ids))),
      [
        { token, v: '5.199', ids: ['1', '2'] },
        { token: otherToken, v: '5.199', ids: ['3', '4'] },
        { token, v: '5.131', ids: ['5', '6'] },
      ],
    );
  });

  test("params inside the script are encoded exactly as a direct call's", async () => {
    const keyboard = { one_time: true, buttons: [[{ action: { type: 'text' as const, label: 'ok' } }]] };
    const send = (api: API) =>
      Promise.all([
        api.wall.getById({ posts: [{ owner_id: -1, post_id: 5 }, '3_4'] }).catch(() => undefined),
        api.messages.send({ peer_id: 1, message: 'hi "there"', keyboard, random_id: 99, dont_parse_links: true }),
      ]);
    await send(client({ batching: false }));
    const directBodies = server.requests.map(({ body }) => {
      const { access_token: _token, v: _v, ...params } = body;
      return params;
    });
    server.requests.length = 0;
    await send(client());
    assert.deepEqual(
      scriptCalls(executes()[0]!).map((call) => call.params),
      directBodies,
    );
  });

  test('messages.send inside a batch carries its random_id and is sent once', async () => {
    const ledger = new RandomIdLedger();
    const remove = server.gate(ledger.gate);
    try {
      const api = client();
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) => api.messages.send({ peer_id: i + 1, message: 'hi' })),
      );
      assert.equal(new Set(ids).size, 30);
      assert.equal(messages.sent.size, 30);
      assert.equal(ledger.received('messages.send').size, 30);
      assert.equal(executes().length, 2, '25 + 5');
    } finally {
      remove();
    }
  });
});

describe('retries and cancellation inside batches', () => {
  test('a call VK refused inside the batch (error 10) is sent again; the others are not', async () => {
    flaky.set(5, 1);
    const api = client();
    const results = await Promise.all(Array.from({ length: 10 }, (_, id) => api.users.get({ user_ids: [id] })));
    assert.deepEqual(
      results.map((users) => users[0]?.id),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(executes().length, 1);
    assert.deepEqual(
      direct('users.get').map((request) => request.params['user_ids']),
      ['5'],
    );
  });

  test('...up to maxRetries times, then its error', async () => {
    flaky.set(5, 10);
    const api = client({ maxRetries: 2 });
    const results = await Promise.all([4, 5].map((id) => outcome(api.users.get({ user_ids: [id] }))));
    assert.deepEqual(results[0], [{ id: 4, v: '5.199' }]);
    assert.ok(results[1] instanceof ApiError && results[1].code === 10);
    assert.equal(flaky.get(5), 10 - 3, 'one try and two retries');
  });

  test('a call aborted before its batch is sent is left out of it', async () => {
    const api = client();
    const controller = new AbortController();
    const reason = new Error('not needed');
    const aborted = outcome(api.users.get({ user_ids: [1] }, { signal: controller.signal }));
    const kept = api.users.get({ user_ids: [2] });
    const alsoKept = api.users.get({ user_ids: [3] });
    controller.abort(reason);
    assert.equal(await aborted, reason);
    assert.deepEqual(await Promise.all([kept, alsoKept]), [[{ id: 2, v: '5.199' }], [{ id: 3, v: '5.199' }]]);
    assert.deepEqual(
      executes().flatMap((request) => scriptCalls(request).map((call) => call.params['user_ids'])),
      ['2', '3'],
    );
  });

  test('a call aborted after its batch was sent rejects at once; the others still get theirs', async () => {
    const api = client();
    const controller = new AbortController();
    const options: CallOptions = { signal: controller.signal };
    const slow = api.call('fake.slow', { ms: 300 });
    const aborted = outcome(api.callMethod('users.get', { user_ids: [2] }, options));
    setTimeout(() => controller.abort(new Error('late')), 50);
    const started = Date.now();
    assert.match(String(await aborted), /late/);
    assert.ok(Date.now() - started < 250, 'did not wait for the batch');
    assert.equal(await slow, '300');
    assert.equal(executes().length, 1);
  });
});

describe('batching under a rate limit', () => {
  test('200 calls on a 3/s token: 8 executes, never 4 in a second, no error 6', async () => {
    const limitedToken = 'vk1.a.BATCH_LIMITED_TOKEN_zyxwvutsrqponmlk';
    const fresh = await startFakeVk({ tokens: [limitedToken] });
    const limit = new PerTokenRateLimit(3);
    fresh.gate(limit.gate);
    fresh.reply('users.get', (params) => [{ id: Number(params['user_ids']) }]);
    const api = new API({ accessToken: limitedToken, apiBaseUrl: fresh.apiBaseUrl, batching: true });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, id) => api.users.get({ user_ids: [id] })));
      assert.deepEqual(
        results.map((users) => users[0]?.id),
        Array.from({ length: 200 }, (_, id) => id),
      );
      assert.equal(limit.refused, 0);
      assert.equal(limit.accepted.length, 8);
      assert.equal(limit.busiestWindow(limitedToken), 3);
      // Calls keep their order across batches.
      const order = fresh.requests.flatMap((request) =>
        scriptCalls(request).map((call) => Number(call.params['user_ids'])),
      );
      assert.deepEqual(
        order,
        Array.from({ length: 200 }, (_, id) => id),
      );
    } finally {
      await api.close();
      await fresh.close();
    }
  });
});

describe('matching execute_errors to calls', () => {
  const error = (method?: string) => new ApiError({ error_code: 100, error_msg: 'x', ...(method ? { method } : {}) });
  const kinds = (outcomes: ReturnType<typeof matchExecuteErrors>) => outcomes.map((outcome) => outcome.kind);

  test('by method among the false results, in order', () => {
    const outcomes = matchExecuteErrors(
      ['a.get', 'b.is', 'c.get', 'a.get'],
      [false, false, 1, false],
      [error('a.get'), error('a.get')],
    );
    assert.deepEqual(kinds(outcomes), ['error', 'result', 'result', 'error']);
    assert.equal((outcomes[1] as { result: unknown }).result, false, "b.is's false is its result");
  });

  test('more false results of a method than its errors: the candidates are unknown, the rest results', () => {
    const outcomes = matchExecuteErrors(
      ['a.is', 'b.get', 'a.is', 'a.is'],
      [false, false, true, false],
      [error('a.is')],
    );
    assert.deepEqual(kinds(outcomes), ['unknown', 'result', 'result', 'unknown']);
  });

  test('errors without a method match any false result; errors that fit no call make every false unknown', () => {
    assert.deepEqual(kinds(matchExecuteErrors(['a.get', 'b.get'], [1, false], [error()])), ['result', 'error']);
    assert.deepEqual(kinds(matchExecuteErrors(['a.get', 'b.get'], [false, 2], [error('a.get'), error('a.get')])), [
      'unknown',
      'result',
    ]);
    assert.deepEqual(kinds(matchExecuteErrors(['a.get'], [false], [error('z.get')])), ['result']);
  });
});
