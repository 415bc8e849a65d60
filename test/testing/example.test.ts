// The example test of docs/testing.md, word for word (docs.test.ts holds the two
// together), with the package's imports pointed at src/.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { API, ApiError, TransportError } from '../../src/index.js';
import { captchaError, rateLimitError, startFakeVk, type FakeVk } from '../../src/testing/index.js';

// The code under test: greets users by their first names.
async function greet(api: API, userIds: number[]): Promise<string> {
  const users = await api.users.get({ user_ids: userIds });
  return `Hello, ${users.map((user) => user.first_name).join(' and ')}!`;
}

// A session of the fake VK for one test: no rate limit, quick retries, closed after it.
function sessionOf(vk: FakeVk, t: TestContext): API {
  const api = new API({
    accessToken: 'test-token',
    apiBaseUrl: vk.apiBaseUrl,
    rateLimit: false,
    retryDelay: { initial: 1, max: 1 },
  });
  t.after(() => api.close());
  return api;
}

// users.get, typed: `params.user_ids` is what greet() passed, and the answer must be users.
function serveUsers(vk: FakeVk): void {
  vk.handle('users.get', (params) =>
    (params.user_ids ?? []).map((id) => ({ id: Number(id), first_name: `User${id}`, last_name: 'Test' })),
  );
}

test('greets users by their first names', async (t) => {
  await using vk = await startFakeVk();
  serveUsers(vk);
  assert.equal(await greet(sessionOf(vk, t), [1, 2]), 'Hello, User1 and User2!');

  const [call] = vk.callsOf('users.get');
  assert.deepEqual(call?.params.user_ids, [1, 2]); // as greet() passed them
  assert.equal(call?.form['user_ids'], '1,2'); // as VK received them
  assert.equal(call?.token, 'test-token');
});

test('rides out VK rate limits', async (t) => {
  await using vk = await startFakeVk();
  serveUsers(vk);
  vk.inject('users.get', rateLimitError(), rateLimitError());
  assert.equal(await greet(sessionOf(vk, t), [1]), 'Hello, User1!');
  assert.equal(vk.callsOf('users.get').length, 3);
});

test('a captcha comes out as an ApiError with its image', async (t) => {
  await using vk = await startFakeVk();
  vk.handle('users.get', () => captchaError({ sid: '123' }));
  const error = await greet(sessionOf(vk, t), [1]).catch((caught: unknown) => caught);
  assert.ok(error instanceof ApiError);
  assert.equal(error.code, 14);
  assert.equal(error.captchaSid, '123');
  assert.equal(error.captchaImg, `${vk.url}/captcha.php?sid=123&s=1`);
});

test('a connection that drops every time is a TransportError', async (t) => {
  await using vk = await startFakeVk();
  serveUsers(vk);
  vk.inject('*', 'reset', 'reset', 'reset', 'reset');
  await assert.rejects(greet(sessionOf(vk, t), [1]), TransportError);
  assert.equal(vk.faults.pending, 0); // the first try and 3 retries
});
