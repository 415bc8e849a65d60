// The `dispatcher` option: a user's own undici Dispatcher carries every request of a
// session, API calls and logins alike, and the limiter, retries, timeouts and abort
// behave over it as over the session's own. MockAgent tests reach no host at all
// (net connect is disabled); the interceptor test talks to the fake VK on 127.0.0.1.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { Agent, MockAgent, type Dispatcher } from 'undici';
import { API, DirectUserAPI, TimeoutError, UserAPI, VkError, type APIOptions } from '../../src/index.js';
import { alice, apiCalls, fakeVk, track, useAuthFixtures } from '../support/auth-fixture.js';
import { rejection } from '../support/rejection.js';

const vkApi = 'https://api.vk.ru';
const token = 'vk1.a.MOCK_AGENT_TOKEN_abcdefghijklmnop';

/** An interceptor that records each request's method, origin and path, and when it was dispatched. */
function recorder(): { log: { line: string; at: number }[]; intercept: Dispatcher.DispatcherComposeInterceptor } {
  const log: { line: string; at: number }[] = [];
  const intercept: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
    log.push({ line: `${options.method} ${String(options.origin)}${options.path}`, at: performance.now() });
    return dispatch(options, handler);
  };
  return { log, intercept };
}

describe('a MockAgent as the dispatcher', () => {
  let mock: MockAgent;
  const sessions: { close(): Promise<void> }[] = [];
  const session = <S extends { close(): Promise<void> }>(made: S): S => {
    sessions.push(made);
    return made;
  };
  const api = (options: APIOptions = {}) =>
    session(new API({ accessToken: token, dispatcher: mock, rateLimit: false, ...options }));

  beforeEach(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((made) => made.close()));
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  test('carries an API call to the default host: the form as sent, the reply typed', async () => {
    let body = '';
    mock
      .get(vkApi)
      .intercept({ path: '/method/users.get', method: 'POST', body: (sent) => ((body = sent), true) })
      .reply(200, { response: [{ id: 1, first_name: 'Pavel', last_name: 'Durov' }] });
    const [user] = await api().users.get({ user_ids: [1], fields: ['city'] });
    assert.equal(user?.first_name, 'Pavel');
    const form = new URLSearchParams(body);
    assert.equal(form.get('access_token'), token, 'the token travels in the body');
    assert.equal(form.get('user_ids'), '1');
    assert.equal(form.get('fields'), 'city');
  });

  test('retries a read after a 502, as over the own dispatcher', async () => {
    const pool = mock.get(vkApi);
    pool.intercept({ path: '/method/users.get', method: 'POST' }).reply(502, 'Bad Gateway');
    pool.intercept({ path: '/method/users.get', method: 'POST' }).reply(200, { response: [{ id: 1 }] });
    const users = await api({ maxRetries: 1, retryDelay: { initial: 1, max: 1 } }).users.get({ user_ids: [1] });
    assert.deepEqual(users, [{ id: 1 }]);
  });

  test('does not repeat a write VK may have run after a 502', async () => {
    mock.get(vkApi).intercept({ path: '/method/wall.delete', method: 'POST' }).reply(502, 'Bad Gateway');
    const error = await rejection(
      api({ maxRetries: 3, retryDelay: { initial: 1, max: 1 } }).wall.delete({ post_id: 1 }),
    );
    assert.ok(error instanceof VkError && /HTTP 502/.test(error.message), String(error));
  });

  test('times out a reply that does not come in time', async () => {
    mock.get(vkApi).intercept({ path: '/method/users.get', method: 'POST' }).reply(200, { response: [] }).delay(2_000);
    const error = await rejection(api({ timeout: 50, maxRetries: 0 }).users.get({ user_ids: [1] }));
    assert.ok(error instanceof TimeoutError, String(error));
  });

  test('an aborted signal cancels the call while its request is pending', async () => {
    mock.get(vkApi).intercept({ path: '/method/users.get', method: 'POST' }).reply(200, { response: [] }).delay(2_000);
    const controller = new AbortController();
    const call = api().users.get({ user_ids: [1] }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('given up')), 20);
    const error = await rejection(call);
    assert.equal((error as Error).message, 'given up');
  });

  test("the token's rate limit holds: a third call at 2/s waits for the first one's second to pass", async () => {
    const { log, intercept } = recorder();
    const pool = mock.get(vkApi);
    for (let n = 0; n < 3; n += 1) pool.intercept({ path: '/method/users.get', method: 'POST' }).reply(200, { response: [] });
    const limited = session(
      new API({ accessToken: `${token}_limited`, dispatcher: mock.compose(intercept), rateLimit: 2 }),
    );
    await Promise.all([1, 2, 3].map((id) => limited.users.get({ user_ids: [id] })));
    const [first, second, third] = log.map((entry) => entry.at);
    assert.ok(second! - first! < 500, 'the first two go at once');
    assert.ok(third! - first! >= 950, `the third went ${Math.round(third! - first!)} ms after the first`);
  });

  test('carries the password grant of DirectUserAPI, then the call made with its token', async () => {
    let grant = new URLSearchParams();
    mock
      .get('https://oauth.vk.ru')
      .intercept({ path: '/token', method: 'POST', body: (sent) => ((grant = new URLSearchParams(sent)), true) })
      .reply(200, { access_token: 'vk1.a.GRANTED_BY_MOCK_0123456789', user_id: 1001, expires_in: 0 });
    let call = new URLSearchParams();
    mock
      .get(vkApi)
      .intercept({ path: '/method/users.get', method: 'POST', body: (sent) => ((call = new URLSearchParams(sent)), true) })
      .reply(200, { response: [{ id: 1001 }] });
    const direct = session(
      new DirectUserAPI({ userLogin: alice.login, userPassword: alice.password, dispatcher: mock, rateLimit: false }),
    );
    assert.deepEqual(await direct.users.get({ user_ids: [1001] }), [{ id: 1001 }]);
    assert.equal(grant.get('grant_type'), 'password');
    assert.equal(grant.get('username'), alice.login);
    assert.equal(call.get('access_token'), 'vk1.a.GRANTED_BY_MOCK_0123456789');
    assert.equal(direct.authorization?.userId, 1001);
  });

  test('close() leaves the dispatcher open for its owner; the session refuses calls after it', async () => {
    const closed = api();
    await closed.close();
    await assert.rejects(closed.users.get({ user_ids: [1] }), /closed/);
    mock.get(vkApi).intercept({ path: '/ping', method: 'GET' }).reply(200, 'pong');
    const response = await mock.request({ origin: vkApi, path: '/ping', method: 'GET' });
    assert.equal(await response.body.text(), 'pong');
  });
});

describe('an Agent composed with an interceptor', () => {
  useAuthFixtures();

  test('sees every request of a UserAPI login and of the call after it, with no secret in any URL', async () => {
    const fixture = await fakeVk();
    const { log, intercept } = recorder();
    const agent = new Agent().compose(intercept);
    const user = track(
      new UserAPI({ userLogin: alice.login, userPassword: alice.password, ...fixture.urls, dispatcher: agent }),
    );
    await user.users.get({ user_ids: [1] });
    const lines = log.map((entry) => entry.line.replace(fixture.server.url, ''));
    assert.equal(lines.length, fixture.server.requests.length, 'every request went through the interceptor');
    assert.match(lines[0]!, /^GET \/oauth\/authorize\?/);
    assert.ok(lines.some((line) => line.startsWith('POST /login?')), lines.join('\n'));
    assert.equal(lines.at(-1), 'POST /method/users.get');
    const [call] = apiCalls(fixture);
    for (const line of lines) {
      assert.ok(!line.includes(alice.password) && !line.includes(call!.token!), `a secret in ${line}`);
    }
    await user.close();
    await agent.close();
  });
});

describe('the dispatcher option is checked', () => {
  test('with proxy too, it is refused: one or the other', () => {
    const mock = new MockAgent();
    assert.throws(() => new API({ dispatcher: mock, proxy: 'http://127.0.0.1:3128' }), /either proxy or dispatcher/);
  });

  test('something that is not a dispatcher is refused when the session is made', () => {
    const notADispatcher = { request() {} } as unknown as APIOptions['dispatcher'];
    assert.throws(() => new API({ dispatcher: notADispatcher }), /must be an undici Dispatcher/);
  });
});
