// VKIDUserAPI against a fake id.vk.com and a fake API that answers error 5 to expired
// tokens: the refresh on error 5 and the re-send, one refresh for many concurrent
// calls, the refresh ahead of expiresAt, onTokens with the rotated tokens, a refresh VK
// refuses, and the session's place among the limiter, retries, batching, dispatcher
// and proxy. Every test ends with a sweep for the fake's secrets.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { inspect } from 'node:util';
import { ApiError, AuthError } from '../../src/index.js';
import { VKID } from '../../src/vkid/vkid.js';
import { VKIDUserAPI, type VKIDUserAPIOptions } from '../../src/vkid/vkid-user-api.js';
import type { VKIDSessionTokens, VKIDTokens } from '../../src/vkid/tokens.js';
import { mountFakeVkId, printed, SecretSweep, type FakeVkId } from '../fakes/vk-id.js';
import { RawReply, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { startTunnelProxy } from '../support/tunnel-proxy.js';

let server: FakeVk;
let fake: FakeVkId;
let vkid: VKID;
let closables: { close(): Promise<void> }[];
/** The fake servers whose received URLs the sweep reads. */
let servers: FakeVk[];
let sweep: SecretSweep;
let logged: unknown[][];

beforeEach(async () => {
  server = await startFakeVk();
  fake = mountFakeVkId(server);
  server.reply('users.get', (params) => [{ id: fake.userId, first_name: 'Ivan', asked: params['user_ids'] ?? '' }]);
  server.reply('utils.getServerTime', 1_700_000_000);
  vkid = new VKID({ clientId: fake.clientId, redirectUri: 'https://app.example.com/cb', idBaseUrl: server.url });
  closables = [vkid, server];
  servers = [server];
  sweep = new SecretSweep();
  logged = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    mock.method(console, method, (...args: unknown[]) => logged.push(args));
  }
});

afterEach(async () => {
  mock.restoreAll();
  for (const closable of closables.reverse()) await closable.close();
  sweep.show(...logged.map((args) => inspect(args, { depth: Infinity })));
  assert.deepEqual(sweep.leaks(fake, servers), []);
});

function session(tokens: VKIDSessionTokens, options: Partial<VKIDUserAPIOptions> = {}): VKIDUserAPI {
  const api = new VKIDUserAPI({ vkid, tokens, apiBaseUrl: server.apiBaseUrl, rateLimit: false, maxRetries: 0, ...options });
  closables.push(api);
  return api;
}

const refreshRequests = () =>
  server.requests.filter((request) => request.path === '/oauth2/auth' && request.body['grant_type'] === 'refresh_token');
/** The token each API request carried, in order. */
const apiTokens = () => server.requests.filter((request) => request.path.startsWith('/method/')).map((request) => request.body['access_token']);

test('sends its access token with every call, and refreshes nothing while it works', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens);
  const [user] = await api.users.get({ user_ids: [1] });
  assert.equal(user?.first_name, 'Ivan');
  await api.call('utils.getServerTime');
  assert.deepEqual(apiTokens(), [tokens.accessToken, tokens.accessToken]);
  assert.equal(refreshRequests().length, 0);
});

test('error 5: one refresh, the call re-sent once with the new token, onTokens gets the rotated tokens', async () => {
  const tokens = fake.issueTokens();
  const received: VKIDTokens[] = [];
  const api = session(tokens, { onTokens: (rotated) => void received.push(rotated) });
  fake.expire(tokens.accessToken);
  const [user] = await api.users.get({ user_ids: [1] });
  assert.equal(user?.id, fake.userId);

  assert.equal(received.length, 1);
  const [rotated] = received;
  assert.notEqual(rotated!.accessToken, tokens.accessToken);
  assert.notEqual(rotated!.refreshToken, tokens.refreshToken);
  assert.equal(rotated!.deviceId, tokens.deviceId);
  assert.ok(rotated!.expiresAt! > Date.now());
  assert.deepEqual(apiTokens(), [tokens.accessToken, rotated!.accessToken]);
  const [sent] = refreshRequests();
  assert.equal(sent!.body['refresh_token'], tokens.refreshToken);
  assert.equal(sent!.body['device_id'], tokens.deviceId);
  assert.deepEqual({ ...api.tokens }, {
    accessToken: rotated!.accessToken,
    refreshToken: rotated!.refreshToken,
    deviceId: tokens.deviceId,
    expiresAt: rotated!.expiresAt,
  });
  // The old refresh token is spent: VK refuses it.
  const reused = await sweep.failure(vkid.refresh(tokens));
  assert.ok(reused instanceof AuthError && reused.errorDescription === 'Refresh token has already been used');
  sweep.show(inspect(rotated, { depth: Infinity }), inspect(api.tokens), printed(api));
});

test('20 concurrent calls that all meet error 5 share one refresh, and each is re-sent once', async () => {
  const tokens = fake.issueTokens();
  let heard = 0;
  const api = session(tokens, { onTokens: () => void (heard += 1) });
  fake.expire(tokens.accessToken);
  const results = await Promise.all(Array.from({ length: 20 }, (_, n) => api.users.get({ user_ids: [n + 1] })));
  assert.deepEqual(
    results.map(([user]) => user?.['asked' as 'id']),
    Array.from({ length: 20 }, (_, n) => String(n + 1)),
  );
  assert.equal(refreshRequests().length, 1);
  assert.equal(heard, 1);
  const sent = apiTokens();
  assert.equal(sent.length, 40);
  assert.equal(sent.filter((token) => token === tokens.accessToken).length, 20);
  assert.equal(sent.filter((token) => token === api.tokens.accessToken).length, 20);
});

test('an expiresAt in the past: the refresh comes before the first call, which goes out once', async () => {
  const tokens = { ...fake.issueTokens(), expiresAt: Date.now() - 1000 };
  const api = session(tokens);
  await Promise.all([api.users.get({ user_ids: [1] }), api.call('utils.getServerTime')]);
  const [first, ...calls] = server.requests.map((request) => request.path);
  assert.equal(first, '/oauth2/auth');
  assert.deepEqual(calls.sort(), ['/method/users.get', '/method/utils.getServerTime']);
  assert.ok(!apiTokens().includes(tokens.accessToken));
});

test('a token that expires within a minute is renewed ahead of the call; without expiresAt only error 5 renews', async () => {
  const soon = session({ ...fake.issueTokens(), expiresAt: Date.now() + 30_000 });
  await soon.call('utils.getServerTime');
  assert.equal(refreshRequests().length, 1);
  const open = session({ ...fake.issueTokens(), expiresAt: undefined });
  await open.call('utils.getServerTime');
  assert.equal(refreshRequests().length, 1);
});

test('a refresh VK refuses rejects every waiting call with its AuthError, and the session never tries again', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens);
  fake.refuseRefreshes = true;
  fake.expire(tokens.accessToken);
  const errors = await Promise.all(Array.from({ length: 5 }, () => sweep.failure(api.call('utils.getServerTime'))));
  for (const error of errors) {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.code, 'OAUTH_ERROR');
    assert.equal(error.oauthError, 'invalid_grant');
    assert.equal(error.errorDescription, 'Refresh token is invalid or expired');
  }
  assert.equal(refreshRequests().length, 1);
  const requestsSoFar = server.requests.length;
  const later = await sweep.failure(api.call('utils.getServerTime'));
  assert.ok(later instanceof AuthError && later.oauthError === 'invalid_grant');
  assert.equal(server.requests.length, requestsSoFar, 'nothing more was sent');
  assert.match(inspect(api), /authorized: false/);
});

test('a re-sent call that meets error 5 again fails with that ApiError: one refresh per call, no loop', async () => {
  const api = session(fake.issueTokens());
  server.replyError('users.get', { error_code: 5, error_msg: 'User authorization failed: user is blocked.' });
  const error = await sweep.failure(api.users.get({ user_ids: [1] }));
  assert.ok(error instanceof ApiError && error.code === 5);
  assert.equal(refreshRequests().length, 1);
  assert.equal(apiTokens().length, 2);
});

test("a call that brings its own access_token keeps it, and that token's error 5 is not the session's to renew", async () => {
  const api = session(fake.issueTokens());
  const error = await sweep.failure(api.call('echo.params', { access_token: 'someone-elses-token-0123456789' }));
  assert.ok(error instanceof ApiError && error.code === 5);
  assert.deepEqual(apiTokens(), ['someone-elses-token-0123456789']);
  assert.equal(refreshRequests().length, 0);
});

test('onTokens that throws fails the calls waiting on that refresh; the session keeps the new tokens', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens, {
    onTokens: () => {
      throw new Error('the token store is down');
    },
  });
  fake.expire(tokens.accessToken);
  const error = await sweep.failure(api.call('utils.getServerTime'));
  assert.match(String(error), /the token store is down/);
  assert.equal(await api.call('utils.getServerTime'), 1_700_000_000);
  assert.equal(refreshRequests().length, 1);
  assert.ok(fake.accepts(api.tokens.accessToken));
});

test("a call's signal ends its wait for a refresh, not the refresh the others wait for", async () => {
  const tokens = { ...fake.issueTokens(), expiresAt: Date.now() - 1 };
  const api = session(tokens);
  const release = fake.hold();
  const controller = new AbortController();
  const abandoned = api.call('utils.getServerTime', undefined, { signal: controller.signal });
  const patient = api.call('utils.getServerTime');
  while (refreshRequests().length === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('the user gave up'));
  await assert.rejects(abandoned, /the user gave up/);
  release();
  assert.equal(await patient, 1_700_000_000);
  assert.equal(refreshRequests().length, 1);
});

test('retries and the rate limiter work as in every session around the refresh', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens, { maxRetries: 2, retryDelay: { initial: 1, max: 1 }, rateLimit: 50 });
  let failures = 1;
  server.gate(async (_request, _method, next) => (failures-- > 0 ? new RawReply(503, 'busy') : next()));
  fake.expire(tokens.accessToken);
  const results = await Promise.all(Array.from({ length: 6 }, () => api.call('utils.getServerTime')));
  assert.deepEqual(results, Array(6).fill(1_700_000_000));
  assert.equal(refreshRequests().length, 1);
});

test('batching: the execute that meets error 5 is renewed once and its calls go out again together', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens, { batching: true, validate: false });
  fake.expire(tokens.accessToken);
  const results = await Promise.all(Array.from({ length: 5 }, (_, n) => api.users.get({ user_ids: [n + 1] })));
  assert.equal(results.length, 5);
  assert.equal(refreshRequests().length, 1);
  const executes = server.requests.filter((request) => request.path === '/method/execute');
  assert.deepEqual(
    executes.map((request) => request.body['access_token']),
    [tokens.accessToken, api.tokens.accessToken],
  );
});

test("the refresh goes through the session's dispatcher, not the VKID's", async () => {
  const { Agent } = await import('undici');
  const seen: string[] = [];
  const recording = new Agent().compose((dispatch) => (options, handler) => {
    seen.push(`${options.method} ${options.path}`);
    return dispatch(options, handler);
  });
  const refusing = { dispatch: () => assert.fail("the VKID's own dispatcher carried a session request") };
  vkid = new VKID({ clientId: fake.clientId, redirectUri: 'https://app.example.com/cb', idBaseUrl: server.url, dispatcher: refusing });
  closables.push(vkid);
  const tokens = fake.issueTokens();
  const api = session(tokens, { dispatcher: recording });
  fake.expire(tokens.accessToken);
  await api.call('utils.getServerTime');
  assert.deepEqual(seen, ['POST /method/utils.getServerTime', 'POST /oauth2/auth', 'POST /method/utils.getServerTime']);
  await api.close();
  await recording.close();
});

test("the refresh goes through the session's proxy", async () => {
  // VK ID on a host of its own, to tell its tunnel from the API's.
  const idServer = await startFakeVk();
  server = await startFakeVk();
  closables.push(idServer, server);
  servers.push(idServer, server);
  server.reply('utils.getServerTime', 1_700_000_000);
  fake = mountFakeVkId(idServer, {}, server);
  const proxy = await startTunnelProxy();
  closables.push(proxy);
  vkid = new VKID({ clientId: fake.clientId, redirectUri: 'https://app.example.com/cb', idBaseUrl: idServer.url });
  closables.push(vkid);
  const tokens = fake.issueTokens();
  const api = session(tokens, { proxy: proxy.url });
  fake.expire(tokens.accessToken);
  await api.call('utils.getServerTime');
  const targets = proxy.tunnels.map((tunnel) => tunnel.target);
  assert.ok(targets.includes(new URL(idServer.url).host), `tunnels: ${targets.join(', ')}`);
  assert.ok(targets.includes(new URL(server.url).host));
  assert.equal(fake.refreshCount, 1);
});

test('the session prints its app and expiry, never a token; bad tokens are refused naming the field only', async () => {
  const tokens = fake.issueTokens();
  const api = session(tokens);
  console.log(api, api.tokens);
  sweep.show(printed(api), inspect(api, { customInspect: false, depth: Infinity, showHidden: true }), inspect(api.tokens));
  assert.match(inspect(api), /^VKIDUserAPI \{.*clientId: 51234567/s);
  const json = JSON.parse(JSON.stringify(api));
  assert.equal(json.session, 'VKIDUserAPI');
  assert.equal(json.authorized, true);
  assert.equal(json.expiresAt, new Date(tokens.expiresAt).toISOString());
  assert.throws(() => session({ ...tokens, refreshToken: '' }), /tokens\.refreshToken must be a non-empty string/);
  assert.throws(() => session({ ...tokens, expiresAt: Number.NaN }), /tokens\.expiresAt/);
});
