// VKID against a fake id.vk.com: the authorize URL (PKCE, scope, fresh state and
// verifier), the code exchange and VK's refusals of it, the state check that sends
// nothing, refresh with rotation, logout, revoke and the user info methods. Every test
// ends with a sweep for the fake's secrets in what it printed, threw and sent in URLs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { inspect } from 'node:util';
import { AuthError } from '../../src/index.js';
import { VKID, type VKIDOptions } from '../../src/vkid/vkid.js';
import { mountFakeVkId, printed, SecretSweep, type FakeVkId } from '../fakes/vk-id.js';
import { json, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const redirectUri = 'https://app.example.com/vkid/callback';
let server: FakeVk;
let fake: FakeVkId;
let vkid: VKID;
let sweep: SecretSweep;

beforeEach(async () => {
  server = await startFakeVk();
  fake = mountFakeVkId(server);
  vkid = newVKID();
  sweep = new SecretSweep();
});

afterEach(async () => {
  await vkid.close();
  await server.close();
  assert.deepEqual(sweep.leaks(fake, [server]), []);
});

function newVKID(options: Partial<VKIDOptions> = {}): VKID {
  return new VKID({ clientId: fake.clientId, redirectUri, idBaseUrl: server.url, ...options });
}

/** A whole login: the URL, the user's consent, and the redirect's params. */
async function authorize(options: Parameters<VKID['authorizationUrl']>[0] = {}) {
  const request = vkid.authorizationUrl(options);
  const redirect = (await fake.consent(request.url)).searchParams;
  return { ...request, code: redirect.get('code')!, deviceId: redirect.get('device_id')!, state: redirect.get('state')! };
}

const tokenRequests = () => server.requests.filter((request) => request.path === '/oauth2/auth');

test('authorizationUrl: PKCE (s256 challenge of a verifier that stays out), state, the default scope', () => {
  const { url, state, codeVerifier } = vkid.authorizationUrl();
  const parsed = new URL(url);
  assert.equal(parsed.origin + parsed.pathname, `${server.url}/authorize`);
  const query = Object.fromEntries(parsed.searchParams);
  assert.deepEqual(Object.keys(query), [
    'response_type',
    'client_id',
    'redirect_uri',
    'state',
    'code_challenge',
    'code_challenge_method',
    'scope',
  ]);
  assert.equal(query['response_type'], 'code');
  assert.equal(query['client_id'], String(fake.clientId));
  assert.equal(query['redirect_uri'], redirectUri);
  assert.equal(query['state'], state);
  assert.equal(query['code_challenge_method'], 's256');
  assert.equal(query['scope'], 'vkid.personal_info');
  assert.match(codeVerifier, /^[A-Za-z0-9_-]{43,128}$/);
  assert.equal(query['code_challenge'], createHash('sha256').update(codeVerifier).digest('base64url'));
  assert.doesNotMatch(query['code_challenge']!, /[=+/]/);
  assert.ok(!url.includes(codeVerifier), 'the verifier is not in the URL');
  assert.match(state, /^[A-Za-z0-9_-]{32,}$/);
});

test('authorizationUrl: a new state and verifier each call', () => {
  const requests = Array.from({ length: 5 }, () => vkid.authorizationUrl());
  assert.equal(new Set(requests.map((request) => request.state)).size, 5);
  assert.equal(new Set(requests.map((request) => request.codeVerifier)).size, 5);
  assert.equal(new Set(requests.map((request) => new URL(request.url).searchParams.get('code_challenge'))).size, 5);
});

test('authorizationUrl: scope names one space apart, from arrays or strings, and the page options', () => {
  const scopeOf = (url: string) => new URL(url).searchParams.get('scope');
  assert.equal(scopeOf(vkid.authorizationUrl({ scope: ['email', ' phone ', 'email'] }).url), 'email phone');
  assert.equal(scopeOf(vkid.authorizationUrl({ scope: 'email,phone  wall' }).url), 'email phone wall');
  const { url } = vkid.authorizationUrl({ scope: 'email phone', prompt: ['login', 'consent'], provider: 'ok_ru', langId: 3, scheme: 'dark' });
  assert.match(url, /scope=email%20phone&prompt=login%20consent&provider=ok_ru&lang_id=3&scheme=dark$/);
  assert.equal(scopeOf(newVKID({ scope: ['wall', 'groups'] }).authorizationUrl().url), 'wall groups');
  assert.equal(scopeOf(vkid.authorizationUrl({ scope: [] }).url), null, 'an empty scope leaves it to VK');
});

test('authorizationUrl: bad options are refused, and a refused call leaves no state waiting', async () => {
  assert.throws(() => vkid.authorizationUrl({ langId: -1 }), RangeError);
  assert.throws(() => vkid.authorizationUrl({ state: '' }), TypeError);
  const { state } = vkid.authorizationUrl({ state: 'my-own-state-0123456789' });
  assert.equal(state, 'my-own-state-0123456789');
  assert.throws(() => vkid.authorizationUrl({ state }), /already in use/);
  assert.throws(() => new VKID({ clientId: 0, redirectUri }), RangeError);
  assert.throws(() => new VKID({ clientId: 1, redirectUri: '/relative' }), TypeError);
  assert.throws(() => new VKID({ clientId: 1, redirectUri, idBaseUrl: 'ftp://id.vk.com' }), TypeError);
});

test('exchangeCode: tokens for the code, everything in the form body, nothing in the URL', async () => {
  const login = await authorize({ scope: 'email phone' });
  const before = Date.now();
  const tokens = await vkid.exchangeCode(login);
  assert.match(tokens.accessToken, /^vk2\.a\./);
  assert.match(tokens.refreshToken, /^vk2\.r\./);
  assert.equal(typeof tokens.idToken, 'string');
  assert.equal(tokens.expiresIn, 3600);
  assert.ok(tokens.expiresAt! >= before + 3_600_000 && tokens.expiresAt! <= Date.now() + 3_600_000);
  assert.equal(tokens.userId, fake.userId);
  assert.equal(tokens.scope, 'email phone');
  assert.equal(tokens.deviceId, login.deviceId);
  assert.ok(fake.accepts(tokens.accessToken));

  const [sent] = tokenRequests();
  assert.equal(sent!.url, `${server.url}/oauth2/auth`);
  assert.match(String(sent!.headers['content-type']), /^application\/x-www-form-urlencoded/);
  assert.deepEqual(sent!.body, {
    client_id: String(fake.clientId),
    grant_type: 'authorization_code',
    code: login.code,
    code_verifier: login.codeVerifier,
    device_id: login.deviceId,
    redirect_uri: redirectUri,
    state: login.state,
  });
  // Printing the tokens shows none of them; JSON, for storage, keeps them all.
  sweep.show(inspect(tokens, { depth: Infinity }), inspect({ tokens }, { showHidden: true }));
  assert.match(inspect(tokens), /^VKIDTokens \{/);
  assert.equal(JSON.parse(JSON.stringify(tokens)).refreshToken, tokens.refreshToken);
});

test('exchangeCode: a wrong verifier is VK\'s invalid_grant, its description verbatim', async () => {
  const login = await authorize();
  const other = vkid.authorizationUrl().codeVerifier;
  const error = await sweep.failure(vkid.exchangeCode({ ...login, codeVerifier: other }));
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, 'OAUTH_ERROR');
  assert.equal(error.oauthError, 'invalid_grant');
  assert.equal(error.errorDescription, 'Invalid code verifier');
  assert.equal(error.step, 'token');
});

test('exchangeCode: a code works once; VK refuses it the second time', async () => {
  const login = await authorize();
  await vkid.exchangeCode(login);
  // The state is spent too: `expectedState` (the app's own record) lets the code reach VK.
  const error = await sweep.failure(vkid.exchangeCode({ ...login, expectedState: login.state }));
  assert.ok(error instanceof AuthError && error.oauthError === 'invalid_grant');
  assert.equal(error.errorDescription, 'Code has already been used');
  assert.equal(tokenRequests().length, 2);
});

test('exchangeCode: a state this VKID did not issue, or has seen back, is refused and nothing is sent', async () => {
  const login = await authorize();
  const forged = await sweep.failure(vkid.exchangeCode({ ...login, state: 'forged-state-from-an-attacker-000' }));
  assert.ok(forged instanceof AuthError && forged.code === 'STATE_MISMATCH');
  assert.match(forged.message, /nothing was sent/);
  assert.ok(!forged.message.includes('forged-state'), 'the state is not quoted');
  const elsewhere = newVKID();
  const unknown = await sweep.failure(elsewhere.exchangeCode(login));
  assert.ok(unknown instanceof AuthError && unknown.code === 'STATE_MISMATCH');
  await elsewhere.close();
  const mismatch = await sweep.failure(vkid.exchangeCode({ ...login, expectedState: `${login.state}x` }));
  assert.ok(mismatch instanceof AuthError && mismatch.code === 'STATE_MISMATCH');
  assert.equal(tokenRequests().length, 0);

  await vkid.exchangeCode(login);
  const replayed = await sweep.failure(vkid.exchangeCode(login));
  assert.ok(replayed instanceof AuthError && replayed.code === 'STATE_MISMATCH');
  assert.equal(tokenRequests().length, 1);
});

test('exchangeCode: a malformed verifier or a missing field is refused before anything is sent', async () => {
  const login = await authorize();
  await assert.rejects(vkid.exchangeCode({ ...login, codeVerifier: 'short' }), (error: Error) => {
    assert.ok(error instanceof TypeError && !error.message.includes('short'));
    return true;
  });
  await assert.rejects(vkid.exchangeCode({ ...login, codeVerifier: `${login.codeVerifier.slice(1)}=` }), TypeError);
  await assert.rejects(vkid.exchangeCode({ ...login, deviceId: '' }), /deviceId must be a non-empty string/);
  assert.equal(tokenRequests().length, 0);
  // The refused calls did not spend the state.
  assert.ok((await vkid.exchangeCode(login)).accessToken);
});

test('refresh: new tokens, the refresh token rotated, and the old one refused', async () => {
  const first = await vkid.exchangeCode(await authorize());
  const second = await vkid.refresh(first);
  assert.notEqual(second.accessToken, first.accessToken);
  assert.notEqual(second.refreshToken, first.refreshToken);
  assert.equal(second.deviceId, first.deviceId);
  assert.ok(fake.accepts(second.accessToken));
  const sent = tokenRequests().at(-1)!;
  assert.equal(sent.body['grant_type'], 'refresh_token');
  assert.equal(sent.body['refresh_token'], first.refreshToken);
  assert.equal(sent.body['device_id'], first.deviceId);
  assert.match(sent.body['state']!, /^[A-Za-z0-9_-]{32,}$/);

  const reused = await sweep.failure(vkid.refresh(first));
  assert.ok(reused instanceof AuthError && reused.oauthError === 'invalid_grant');
  assert.equal(reused.errorDescription, 'Refresh token has already been used');
  const wrongDevice = await sweep.failure(vkid.refresh({ refreshToken: second.refreshToken, deviceId: 'another-device-0123' }));
  assert.ok(wrongDevice instanceof AuthError && wrongDevice.errorDescription === 'Invalid device_id');
  sweep.show(inspect(second, { depth: Infinity }));
});

test('refresh: a reply with another state than the one sent is refused', async () => {
  const tokens = fake.issueTokens();
  server.route('/oauth2/auth', () => json({ access_token: 'a', refresh_token: 'b', state: 'not-the-sent-state' }));
  const error = await sweep.failure(vkid.refresh(tokens));
  assert.ok(error instanceof AuthError && error.code === 'STATE_MISMATCH');
});

test("VK ID's errors and odd replies: an AuthError naming the method, never a crash", async () => {
  const tokens = fake.issueTokens();
  server.route('/oauth2/auth', () => json({ access_token: 'only-an-access-token' }));
  const missing = await sweep.failure(vkid.refresh(tokens));
  assert.ok(missing instanceof AuthError && missing.code === 'TOKEN_MISSING');
  assert.match(missing.message, /refresh_token/);
  server.route('/oauth2/auth', () => json([1, 2]));
  const notObject = await sweep.failure(vkid.refresh(tokens));
  assert.ok(notObject instanceof AuthError && notObject.code === 'UNEXPECTED_RESPONSE');
});

test('logout ends the login: its tokens stop working, refresh included', async () => {
  const tokens = await vkid.exchangeCode(await authorize());
  await vkid.logout(tokens);
  assert.ok(!fake.accepts(tokens.accessToken));
  const sent = server.requests.find((request) => request.path === '/oauth2/logout')!;
  assert.deepEqual(sent.body, { client_id: String(fake.clientId), access_token: tokens.accessToken });
  assert.deepEqual(sent.query, {});
  const refused = await sweep.failure(vkid.refresh(tokens));
  assert.ok(refused instanceof AuthError && refused.oauthError === 'invalid_grant');
  const again = await sweep.failure(vkid.logout(tokens));
  assert.ok(again instanceof AuthError && again.oauthError === 'invalid_token');
});

test("revoke withdraws the app's access: every login of the user stops working", async () => {
  const first = fake.issueTokens();
  const second = fake.issueTokens();
  await vkid.revoke(second);
  assert.ok(!fake.accepts(first.accessToken) && !fake.accepts(second.accessToken));
  assert.equal(server.requests.at(-1)!.path, '/oauth2/revoke');
  const refused = await sweep.failure(vkid.refresh(first));
  assert.ok(refused instanceof AuthError && refused.code === 'OAUTH_ERROR');
});

test('userInfo and publicInfo: the user, by the access token and by the ID token', async () => {
  const tokens = await vkid.exchangeCode(await authorize());
  const user = await vkid.userInfo(tokens);
  assert.equal(user.user_id, String(fake.userId));
  assert.equal(user.first_name, 'Ivan');
  assert.equal(user.email, 'ivan@example.com');
  const masked = await vkid.publicInfo({ idToken: tokens.idToken! });
  assert.equal(masked.last_name, 'I');
  assert.equal(server.requests.at(-1)!.body['id_token'], tokens.idToken);
  fake.expire(tokens.accessToken);
  const expired = await sweep.failure(vkid.userInfo(tokens));
  assert.ok(expired instanceof AuthError && expired.oauthError === 'invalid_token');
  assert.equal(expired.errorDescription, 'Access token is invalid or expired');
});

test('VKID prints its settings only; its own dispatcher carries its requests', async () => {
  const seen: string[] = [];
  const { Agent } = await import('undici');
  const agent = new Agent().compose((dispatch) => (options, handler) => {
    seen.push(`${options.method} ${options.path}`);
    return dispatch(options, handler);
  });
  const own = newVKID({ dispatcher: agent });
  const login = own.authorizationUrl();
  sweep.show(printed(own), inspect(login), printed(vkid));
  assert.match(inspect(own), /^VKID \{/);
  assert.deepEqual(JSON.parse(JSON.stringify(own)), {
    clientId: fake.clientId,
    redirectUri,
    idBaseUrl: server.url,
    scope: 'vkid.personal_info',
  });
  assert.ok(!inspect(login).includes(login.codeVerifier));
  const redirect = (await fake.consent(login.url)).searchParams;
  await own.exchangeCode({ ...login, code: redirect.get('code')!, deviceId: redirect.get('device_id')! });
  assert.deepEqual(seen, ['POST /oauth2/auth']);
  await own.close();
  await agent.close();
});
