// The API session against the fake VK server on 127.0.0.1: bodies, replies, errors,
// secrets, timeouts, cancellation and connection reuse.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { schemaVersion } from '../../generated/methods.js';
import {
  API,
  ApiError,
  ApiErrorCode,
  ParamEncodingError,
  TimeoutError,
  TransportError,
  VkError,
  type APIOptions,
} from '../../src/index.js';
import { FakeApiError, RawReply, json, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { rejection } from '../support/rejection.js';

const token = 'vk1.a.TEST_TOKEN_abcdefghijklmnopqrstuvwxyz';
const otherToken = 'vk1.a.OTHER_TOKEN_0123456789';

let server: FakeVk;
const clients: API[] = [];

/** A client of the fake server, closed after the tests. Rate limits are tested in
 * test/pipeline/rate-limit.test.ts; here they would only slow the tests down. */
function client(options: APIOptions = {}): API {
  const api = new API({ accessToken: token, apiBaseUrl: server.apiBaseUrl, rateLimit: false, ...options });
  clients.push(api);
  return api;
}

/** The last request the fake server received. */
function lastRequest() {
  const request = server.requests.at(-1);
  assert.ok(request, 'no request reached the server');
  return request;
}

before(async () => {
  server = await startFakeVk({ tokens: [token, otherToken] });
  server.reply('users.get', (params) =>
    params['user_ids']?.split(',').map((id) => ({ id: Number(id), first_name: 'Pavel', last_name: 'Durov' })),
  );
  server.reply('utils.getServerTime', () => 1_700_000_000);
  server.reply('echo.params', (params) => params);
  server.reply('slow.never', () => new Promise(() => {}));
});

beforeEach(() => {
  server.requests.length = 0;
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await server.close();
});

describe('requests', () => {
  test('a section method POSTs a form to <apiBaseUrl>/<method> and returns the unwrapped response', async () => {
    const users = await client().users.get({ user_ids: [1, 2], fields: ['city'] });
    assert.deepEqual(users, [
      { id: 1, first_name: 'Pavel', last_name: 'Durov' },
      { id: 2, first_name: 'Pavel', last_name: 'Durov' },
    ]);
    const request = lastRequest();
    assert.equal(request.httpMethod, 'POST');
    assert.equal(request.path, '/method/users.get');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(request.body, { v: schemaVersion, access_token: token, user_ids: '1,2', fields: 'city' });
  });

  test('call() by method name sends the same request', async () => {
    const time = await client().call('utils.getServerTime');
    assert.equal(time, 1_700_000_000);
    assert.equal(lastRequest().path, '/method/utils.getServerTime');
  });

  test('common params: v, lang, test_mode and extra params', async () => {
    await client({ v: '5.131', lang: 'en', testMode: true, extraParams: { device_id: 'abc', https: true } }).call(
      'echo.params',
      {},
    );
    assert.deepEqual(lastRequest().body, {
      v: '5.131',
      lang: 'en',
      test_mode: '1',
      device_id: 'abc',
      https: '1',
      access_token: token,
    });
  });

  test("the call's params override common params", async () => {
    const api = client({ lang: 'en', extraParams: { device_id: 'abc' } });
    await api.call('echo.params', { lang: 'ru', v: '5.100', device_id: 'xyz' });
    assert.deepEqual(lastRequest().body, { v: '5.100', lang: 'ru', device_id: 'xyz', access_token: token });
  });

  test('an access_token passed in params wins over the client token', async () => {
    await client().call('echo.params', { access_token: otherToken });
    assert.equal(lastRequest().body['access_token'], otherToken);
  });

  test('without a token none is sent (and VK answers error 5)', async () => {
    const error = await rejection(client({ accessToken: undefined }).call('utils.getServerTime'));
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, ApiErrorCode.Auth);
    assert.ok(!('access_token' in lastRequest().params));
  });

  test('params are encoded per the schema: value objects and JSON params', async () => {
    const api = client();
    server.reply('wall.getById', []);
    await api.wall.getById({ posts: [{ owner_id: -1, post_id: 5 }, { owner_id: 2, post_id: 7, hash: 'h' }, '3_4'] });
    assert.equal(lastRequest().body['posts'], '-1_5,2_7_h,3_4');

    server.reply('messages.send', 1);
    const keyboard = { one_time: true, buttons: [] };
    await api.messages.send({ peer_id: 1, random_id: 0, message: 'hi', keyboard });
    assert.equal(lastRequest().body['keyboard'], JSON.stringify(keyboard));
  });

  test('a param that cannot be encoded fails the call before anything is sent', async () => {
    const error = await rejection(client().call('echo.params', { count: Number.NaN }));
    assert.ok(error instanceof ParamEncodingError);
    assert.equal(error.param, 'count');
    assert.equal(server.requests.length, 0);
  });

  test('a method the schema lacks goes through call() as is', async () => {
    server.reply('newsection.brandNew', (params) => ({ got: params['x'] }));
    assert.deepEqual(await client().call('newsection.brandNew', { x: 1 }), { got: '1' });
  });
});

describe('the token stays secret', () => {
  test('it travels in the body only: never in the URL, query or headers', async () => {
    await client().users.get({ user_ids: [1] });
    const request = lastRequest();
    assert.equal(request.body['access_token'], token);
    assert.ok(!request.url.includes(token));
    assert.deepEqual(request.query, {});
    assert.ok(!JSON.stringify(request.headers).includes(token));
  });

  test('it is censored in ApiErrors, even where VK echoes it', async () => {
    server.replyError('wall.post', {
      error_code: 14,
      error_msg: `Captcha needed (token ${token})`,
      captcha_sid: '42',
      request_params: [
        { key: 'method', value: 'wall.post' },
        { key: 'access_token', value: token },
      ],
    });
    const error = await rejection(client().wall.post({ message: 'hi' }));
    assert.ok(error instanceof ApiError);
    const printed = [error.message, String(error.stack), JSON.stringify(error.raw), JSON.stringify(error.requestParams)];
    for (const text of printed) assert.ok(!text.includes(token), text);
    assert.equal(error.requestParamsRecord['access_token'], 'vk1.***');
    assert.equal(error.errorMsg, 'Captcha needed (token vk1.***)');
  });

  test('it is absent from the request_params VK echoes', async () => {
    const error = await rejection(client().call('no.suchMethod', { user_ids: [1] }));
    assert.ok(error instanceof ApiError);
    assert.deepEqual(error.requestParams, [
      { key: 'method', value: 'no.suchMethod' },
      { key: 'oauth', value: '1' },
      { key: 'v', value: schemaVersion },
      { key: 'user_ids', value: '1' },
    ]);
  });
});

describe('replies', () => {
  test('{error} becomes an ApiError with every field VK sent', async () => {
    server.replyError('account.ban', {
      error_code: 17,
      error_msg: 'Validation required: please open redirect_uri in browser',
      redirect_uri: 'https://m.vk.ru/login?act=security_check&api_hash=abc',
      captcha_sid: '123',
      captcha_img: 'https://api.vk.ru/captcha.php?sid=123',
      brand_new_field: { nested: [1, 2] },
    });
    const error = await rejection(client().account.ban({ owner_id: 1 }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, ApiErrorCode.AuthValidation);
    assert.equal(error.errorMsg, 'Validation required: please open redirect_uri in browser');
    assert.equal(error.redirectUri, 'https://m.vk.ru/login?act=security_check&api_hash=abc');
    assert.equal(error.captchaSid, '123');
    assert.equal(error.captchaImg, 'https://api.vk.ru/captcha.php?sid=123');
    assert.deepEqual(error.raw['brand_new_field'], { nested: [1, 2] });
    assert.deepEqual(error.requestParamsRecord, { method: 'account.ban', oauth: '1', v: schemaVersion, owner_id: '1' });
    assert.equal(
      error.message,
      `17. Validation required: please open redirect_uri in browser. request_params = {"method":"account.ban","oauth":"1","v":"${schemaVersion}","owner_id":"1"}`,
    );
  });

  test('a handler may throw a VK error too', async () => {
    server.reply('users.search', () => {
      throw new FakeApiError({ error_code: 6, error_msg: 'Too many requests per second' });
    });
    const error = await rejection(client().users.search({ q: 'x' }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, ApiErrorCode.TooMany);
  });

  test('execute_errors beside a response: the response is returned and each error reported', async () => {
    const reply = {
      response: [[{ id: 1 }], false],
      execute_errors: [
        { method: 'users.get', error_code: 113, error_msg: 'Invalid user id' },
        { method: 'wall.get', error_code: 15, error_msg: `Access denied ${token}` },
      ],
    };
    server.reply('execute', json(reply));
    const reported: ApiError[][] = [];
    const api = client({ onExecuteErrors: (errors) => reported.push(errors) });
    assert.deepEqual(await api.call('execute', { code: 'return [API.users.get(), API.wall.get()];' }), reply.response);
    assert.equal(reported.length, 1);
    const [first, second] = reported[0] ?? [];
    assert.ok(first instanceof ApiError && second instanceof ApiError);
    assert.equal(first.method, 'users.get');
    assert.equal(first.code, 113);
    assert.equal(second.method, 'wall.get');
    assert.ok(!second.errorMsg.includes(token));
  });

  test('execute_errors are logged as censored warnings by default', async (t) => {
    server.reply(
      'execute',
      json({
        response: null,
        execute_errors: [{ method: 'wall.get', error_code: 15, error_msg: `Access denied ${token}` }],
      }),
    );
    const warn = t.mock.method(console, 'warn', () => {});
    assert.equal(await client().call('execute', { code: 'return API.wall.get();' }), null);
    assert.equal(warn.mock.callCount(), 1);
    const line = String(warn.mock.calls[0]?.arguments[0]);
    assert.match(line, /^Execute "wall\.get" error: 15\. Access denied/);
    assert.ok(!line.includes(token));
  });

  test('execute() returns the result with its execute_errors, and keeps the VKScript readable', async () => {
    const code = 'return [API.users.get({"user_ids": 1}), API.wall.get()];';
    server.reply('execute', (params) => {
      assert.equal(params['code'], code);
      return json({
        response: [[{ id: 1 }], false],
        execute_errors: [{ method: 'wall.get', error_code: 15, error_msg: 'Access denied' }],
      });
    });
    const reported: ApiError[][] = [];
    const api = client({ onExecuteErrors: (errors) => reported.push(errors) });
    const result = await api.execute<[{ id: number }[], false]>({ code, func_v: 2 });
    assert.deepEqual(result.response, [[{ id: 1 }], false]);
    assert.equal(result.executeErrors.length, 1);
    assert.equal(result.executeErrors[0]?.method, 'wall.get');
    assert.equal(reported.length, 0, 'execute() hands the errors to its caller, not to onExecuteErrors');
    assert.equal(lastRequest().body['func_v'], '2');

    server.replyError('execute', { error_code: 12, error_msg: 'Unable to compile code' });
    const error = await rejection(api.execute({ code }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.requestParamsRecord['code'], code, 'VKScript is not a secret');
  });

  test('a reply with neither response nor error is a TransportError', async () => {
    server.reply('odd.reply', json({ something: 1 }));
    const error = await rejection(client().call('odd.reply'));
    assert.ok(error instanceof TransportError);
    assert.match(error.message, /odd\.reply: the reply is neither \{response\} nor \{error/);
  });
});

describe('transport failures', () => {
  test('HTTP 502 with an HTML body is a TransportError with the status', async () => {
    const page = '<html><body>502 Bad Gateway</body></html>';
    server.reply('friends.get', new RawReply(502, page, { 'content-type': 'text/html' }));
    const error = await rejection(client().friends.get({ user_id: 1 }));
    assert.ok(error instanceof TransportError);
    assert.ok(error instanceof VkError);
    assert.equal(error.status, 502);
    assert.match(error.message, /HTTP 502/);
    assert.equal(error.bodyExcerpt, page);
    assert.ok(!error.message.includes(token));
  });

  test('a 200 reply that is not JSON is a TransportError', async () => {
    server.reply('broken.json', new RawReply(200, '{"response": [1, 2'));
    const error = await rejection(client().call('broken.json'));
    assert.ok(error instanceof TransportError);
    assert.equal(error.status, 200);
    assert.match(error.message, /not JSON/);
  });

  test('a server that never answers times out with the client timeout', async () => {
    const started = Date.now();
    const error = await rejection(client({ timeout: 200 }).call('slow.never'));
    assert.ok(error instanceof TimeoutError, String(error));
    assert.ok(error instanceof TransportError);
    assert.equal(error.timeout, 200);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 2000, `took ${elapsed} ms`);
  });

  test("a call's own timeout overrides the client's", async () => {
    const error = await rejection(client({ timeout: 60_000 }).call('slow.never', {}, { timeout: 100 }));
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeout, 100);
  });

  test('an AbortSignal aborts the call with its reason', async () => {
    const controller = new AbortController();
    const call = client().call('slow.never', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(call);
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, 'AbortError');
  });

  test('an already aborted signal sends nothing', async () => {
    const reason = new Error('stop');
    const error = await rejection(client().call('users.get', { user_ids: [1] }, { signal: AbortSignal.abort(reason) }));
    assert.equal(error, reason);
    assert.equal(server.requests.length, 0);
  });

  test('a refused connection is a TransportError', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(client({ apiBaseUrl: `http://127.0.0.1:${port}/method` }).call('users.get', {}));
    assert.ok(error instanceof TransportError);
    assert.equal(error.status, undefined);
    assert.ok(!error.message.includes(token));
  });
});

describe('connections', () => {
  test('sequential calls reuse one keep-alive connection', async () => {
    const fresh = await startFakeVk({ tokens: [token] });
    const api = new API({ accessToken: token, apiBaseUrl: fresh.apiBaseUrl });
    try {
      fresh.reply('utils.getServerTime', 1);
      for (let i = 0; i < 5; i += 1) await api.utils.getServerTime();
      assert.equal(fresh.requests.length, 5);
      assert.equal(fresh.connectionCount, 1);
    } finally {
      await api.close();
      await fresh.close();
    }
  });

  test('constructing a client opens nothing; a closed client refuses calls', async () => {
    const fresh = await startFakeVk();
    const api = new API({ accessToken: token, apiBaseUrl: fresh.apiBaseUrl });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(fresh.connectionCount, 0);
      await api.close();
      const error = await rejection(api.call('utils.getServerTime'));
      assert.ok(error instanceof VkError);
      assert.match(error.message, /closed/);
      assert.equal(fresh.requests.length, 0);
    } finally {
      await fresh.close();
    }
  });

  test('a bad timeout option is refused at construction', () => {
    assert.throws(() => new API({ timeout: 0 }), RangeError);
    assert.throws(() => new API({ timeout: Number.NaN }), RangeError);
  });
});

describe('the fake server', () => {
  const post = async (path: string, form: Record<string, string>) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams(form) });
    return (await response.json()) as { error?: { error_code: number; error_msg: string; request_params: unknown } };
  };

  test('checks the token and v, and knows its methods', async () => {
    assert.equal((await post('/method/users.get', { v: '5.199' })).error?.error_code, 5);
    assert.match((await post('/method/users.get', { v: '5.199', access_token: 'nope' })).error?.error_msg ?? '', /invalid access_token/);
    assert.equal((await post('/method/users.get', { access_token: token })).error?.error_code, 8);
    assert.equal((await post('/method/users.get', { access_token: token, v: '9.0' })).error?.error_code, 8);
    const unknown = await post('/method/foo.bar', { access_token: token, v: '5.199', x: '1' });
    assert.equal(unknown.error?.error_code, 3);
    assert.deepEqual(unknown.error?.request_params, [
      { key: 'method', value: 'foo.bar' },
      { key: 'oauth', value: '1' },
      { key: 'v', value: '5.199' },
      { key: 'x', value: '1' },
    ]);
  });

  test('takes extra routes; the latest matching one wins', async () => {
    const removeOverride = server.route('/method/users.get', () => json({ response: 'overridden' }));
    const removeAuthorize = server.route(
      '/authorize',
      (request) => new RawReply(302, '', { location: `/blank.html#state=${request.query['state']}` }),
    );
    try {
      assert.deepEqual(await post('/method/users.get', {}), { response: 'overridden' });
      const response = await fetch(`${server.url}/authorize?state=s1`, { redirect: 'manual' });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/blank.html#state=s1');
    } finally {
      removeOverride();
      removeAuthorize();
    }
    assert.equal((await post('/method/users.get', {})).error?.error_code, 5);
    assert.equal((await fetch(`${server.url}/authorize`)).status, 404);
  });
});

// Checked by tsc (npm run typecheck), never run: the typed call() picks the response
// variant from the params and refuses unknown params.
export async function typeChecks(api: API): Promise<void> {
  const extended = await api.call('wall.get', { domain: 'durov', extended: true });
  extended.profiles satisfies unknown[];
  const plain = await api.call('wall.get', { domain: 'durov' });
  // @ts-expect-error plain wall.get has no profiles
  void plain.profiles;
  const friends = await api.call('friends.get', { fields: ['city'] });
  friends.items[0]?.first_name satisfies string | undefined;
  (await api.call('friends.get')).items satisfies number[];
  (await api.call('utils.getServerTime')) satisfies number;
  // @ts-expect-error unknown param
  await api.call('users.get', { user_idz: [1] });
  // @ts-expect-error unknown param beside a known one
  await api.call('users.get', { user_ids: [1], user_idz: [1] });
  // @ts-expect-error posts is required
  await api.call('wall.getById');
  (await api.call('newsection.brandNew', { x: 1 })) satisfies unknown;
}
