// No secret in any output: an attacker's sweep of what the SDK prints, throws and
// logs (message, cause, stack, util.inspect, JSON.stringify, console warnings), for
// tokens, passwords, 2FA codes, captcha answers and client secrets, long and short.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { json, FakeApiError, RawReply } from '../../src/testing/fake-vk.js';
import {
  alice,
  bob,
  fakeVk,
  rejection,
  secret,
  track,
  useAuthFixtures,
  type Fixture,
} from '../support/auth-fixture.js';
import { API, ApiError, AuthError, CommunityAPI, DirectUserAPI, UserAPI, type APIOptions } from '../../src/index.js';
import { censorDeep, censorValue, isSecretKey } from '../../src/core/censor.js';
import { ParamEncodingError, TransportError } from '../../src/core/errors.js';

// Every test's errors (through `rejection`) and console lines are also swept for the
// fixture's secrets and those passed to `secret()`.
useAuthFixtures();

const bounded = { timeout: 5_000 };
const token = 'vk1.a.HARDENING_TOKEN_0123456789_abcdefghijklmnopqrstuvwxyz';

/** Everything a user may print of `value`. */
function printed(value: unknown): string {
  const error = value instanceof Error ? [value.message, String(value.stack)] : [];
  return [
    ...error,
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, customInspect: false }),
    JSON.stringify(value) ?? '',
  ].join('\n');
}

/** Fails when `text` holds `value`, or any 4 characters of it in a row. */
function assertHidden(text: string, value: string, what = 'a secret'): void {
  const size = Math.min(4, value.length);
  for (let i = 0; i + size <= value.length; i++) {
    const part = value.slice(i, i + size);
    assert.ok(!text.includes(part), `${what} (${part}) shows in:\n${text}`);
  }
}

/** Batching, with the params check off: a method's first check compiles its validator
 * over a few turns, and calls meant to share one execute would then reach it apart. */
const batchedTogether: APIOptions = { batching: true, validate: false };

function api(fixture: Fixture, options: APIOptions = {}): API {
  return track(
    new API({
      apiBaseUrl: fixture.server.apiBaseUrl,
      accessToken: secret(token),
      rateLimit: false,
      maxRetries: 0,
      ...options,
    }),
  );
}

test('API: console.log, util.inspect and JSON.stringify show settings, not the token', bounded, async () => {
  const session = new API({ accessToken: secret(token), tokenType: 'user', apiBaseUrl: 'http://127.0.0.1:1/method' });
  console.log(session);
  console.log('%o', { session });
  const text = printed(session) + printed({ nested: [session] });
  assertHidden(text, token.slice(6), 'the token');
  assert.match(inspect(session), /^API \{.*tokenType: 'user'/s);
  assert.deepEqual(JSON.parse(JSON.stringify(session)), {
    session: 'API',
    tokenType: 'user',
    apiBaseUrl: 'http://127.0.0.1:1/method',
    v: '5.199',
    authorized: true,
  });
});

test('UserAPI after a login prints neither the login, the password nor the token', bounded, async () => {
  const fixture = await fakeVk([alice]);
  const session = track(
    new UserAPI({ ...fixture.urls, userLogin: alice.login, userPassword: alice.password, rateLimit: false }),
  );
  const { accessToken } = await session.authorize();
  const text = printed(session);
  assert.ok(!text.includes(accessToken) && !text.includes(alice.password) && !text.includes(alice.login), text);
  assert.match(inspect(session), /UserAPI \{.*authorized: true/s);
});

test('DirectUserAPI prints no client secret, password or stored token', bounded, async () => {
  const clientSecret = secret('my-app-client-secret-value');
  const stored = secret('stored-user-token-0123456789');
  const session = track(
    new DirectUserAPI({
      clientId: 42,
      clientSecret,
      userLogin: 'l@example.com',
      userPassword: secret('pw-Qz7#Wk9'),
      accessToken: stored,
    }),
  );
  const text = printed(session);
  for (const value of [clientSecret, stored, 'pw-Qz7#Wk9', 'l@example.com']) assert.ok(!text.includes(value), text);
  assert.equal(JSON.parse(JSON.stringify(session)).clientId, 42);
});

test('CommunityAPI prints its group ids, not the group tokens', bounded, async () => {
  const groupToken = secret('group-token-for-123-0123456789');
  const session = track(new CommunityAPI({ groupIds: [123], groupTokens: { 123: groupToken } }));
  const text = printed(session) + printed(session.groups);
  assert.ok(!text.includes(groupToken), text);
  assert.deepEqual(JSON.parse(JSON.stringify(session)).groupIds, [123]);
});

test("account.changePassword: VK's request_params echo shows neither password", bounded, async () => {
  const fixture = await fakeVk();
  const oldPassword = secret('Qz7#Wk9$L'); // 9 characters: the old format showed 8 of them
  const newPassword = secret('Mn4!Rt8&Yp');
  fixture.server.replyError('account.changePassword', { error_code: 15, error_msg: 'Access denied' });
  const error = await rejection(
    api(fixture).account.changePassword({ old_password: oldPassword, new_password: newPassword }),
  );
  assert.ok(error instanceof ApiError && error.code === 15);
  assert.equal(error.requestParamsRecord['old_password'], '***');
  assertHidden(printed(error), oldPassword, 'old_password');
  assertHidden(printed(error), newPassword, 'new_password');
});

test('secure.checkToken: a short token VK quotes in error_msg is scrubbed', bounded, async () => {
  const fixture = await fakeVk();
  const checked = secret('Zq#1tk'); // under the old 8-character scrub minimum
  fixture.server.reply(
    'secure.checkToken',
    (params) => new FakeApiError({ error_code: 15, error_msg: `Invalid token ${params['token']} given` }),
  );
  const error = await rejection(api(fixture).call('secure.checkToken', { token: checked }));
  assert.ok(error instanceof ApiError);
  assert.equal(error.errorMsg, 'Invalid token *** given');
  assertHidden(printed(error), checked, 'the checked token');
});

test('a secret under 4 characters that VK names in its text (name=value) is censored by name', bounded, async () => {
  const fixture = await fakeVk();
  fixture.server.reply(
    'account.changePassword',
    (params) =>
      new FakeApiError({
        error_code: 100,
        error_msg: `bad request: old_password=${params['old_password']}&x=1`,
        request_params: [],
      }),
  );
  const error = await rejection(
    api(fixture).call('account.changePassword', { old_password: 'Q#z', new_password: secret('Mn4!Rt8&Yp') }),
  );
  assert.ok(error instanceof ApiError);
  assert.equal(error.errorMsg, 'bad request: old_password=***&x=1');
});

test("batching: an execute-level error shows no member its own or another member's password", bounded, async () => {
  const fixture = await fakeVk();
  const password = secret('Qz7#Wk9$Lm2');
  // VK echoes the whole script, and quotes a part of it in its message.
  fixture.server.reply(
    'execute',
    () => new FakeApiError({ error_code: 12, error_msg: `Unable to compile code: near "${password}"` }),
  );
  const session = api(fixture, batchedTogether);
  const [other, own] = await Promise.all([
    rejection(session.users.get({ user_ids: [1] })),
    rejection(session.account.changePassword({ old_password: password, new_password: secret('Mn4!Rt8&Yp') })),
  ]);
  for (const error of [other, own]) {
    assert.ok(error instanceof ApiError && error.code === 12);
    assert.ok(error.requestParamsRecord['code']?.includes('API.users.get'), 'the script is still there to debug');
    assertHidden(printed(error), password, 'a batched password');
  }
});

test(
  "batching: a short secret another member sent is scrubbed from the whole batch's error text",
  bounded,
  async () => {
    const fixture = await fakeVk();
    const checked = secret('Zq#1tk');
    fixture.server.reply(
      'execute',
      () => new FakeApiError({ error_code: 12, error_msg: `Unable to compile code: ${checked}`, request_params: [] }),
    );
    const session = api(fixture, batchedTogether);
    const [other] = await Promise.all([
      rejection(session.users.get({ user_ids: [1] })),
      rejection(session.call('secure.checkToken', { token: checked })),
    ]);
    assert.ok(other instanceof ApiError);
    assert.equal(other.errorMsg, 'Unable to compile code: ***');
  },
);

test("batching: a proxy page echoing the execute body (URL-encoded) shows no member's password", bounded, async () => {
  const fixture = await fakeVk();
  const password = secret('Qz7 #Wk9$Lm2'); // space, # and $ come URL-encoded
  fixture.server.reply(
    'execute',
    (_params, request) => new RawReply(502, `<html>Bad gateway for ${request.rawBody}</html>`),
  );
  const session = api(fixture, batchedTogether);
  const [other] = await Promise.all([
    rejection(session.users.get({ user_ids: [1] })),
    rejection(session.account.changePassword({ old_password: password, new_password: secret('Mn4!Rt8&Yp') })),
  ]);
  assert.ok(other instanceof TransportError && other.status === 502);
  assert.ok(!printed(other).includes(encodeURIComponent(password)), printed(other));
  assert.ok(!printed(other).includes(new URLSearchParams({ p: password }).toString().slice(2)), printed(other));
});

test('the censored form shows nothing of a short secret and at most 4 characters of a long token', bounded, () => {
  assert.equal(censorValue('Qz7#Wk9$L'), '***');
  assert.equal(censorValue('a'.repeat(31)), '***');
  assert.equal(censorValue(token), 'vk1.***');
  const censored = JSON.stringify(
    censorDeep({ password: 'Qz7#Wk9$L', request_params: [{ key: 'captcha_key', value: 'k7x9q' }] }),
  );
  assertHidden(censored, 'Qz7#Wk9$L');
  assertHidden(censored, 'k7x9q');
});

test('a 6-digit 2FA code VK echoes in error_description (and raw `code`) is scrubbed', bounded, async () => {
  const fixture = await fakeVk([bob]);
  fixture.server.route('/oauth/token', (request) =>
    request.body['code'] === undefined
      ? json({ error: 'need_validation', validation_type: '2fa_app', phone_mask: '+7 *** *** ** 12' }, 401)
      : json(
          {
            error: 'invalid_request',
            error_description: `code ${request.body['code']} expired`,
            code: request.body['code'],
          },
          400,
        ),
  );
  const session = track(
    new DirectUserAPI({
      ...fixture.urls,
      userLogin: bob.login,
      userPassword: bob.password,
      getAuthCheckCode: () => bob.authCode!,
      rateLimit: false,
    }),
  );
  const error = await rejection(session.authorize());
  assert.ok(error instanceof AuthError && error.code === 'OAUTH_ERROR');
  assert.equal(error.errorDescription, 'code *** expired');
  assert.equal(error.raw?.['code'], '***');
  assert.ok(!printed(error).includes(bob.authCode!));
});

test('AuthError: an HTML-escaped password and community tokens in the raw reply are censored', bounded, () => {
  const password = bob.password; // holds an "&", which a page writes as &amp;
  const error = new AuthError(
    'UNEXPECTED_RESPONSE',
    'login',
    `page said: value="${password.replace('&', '&amp;')}"`,
    { raw: { access_token_123: 'group-token-0123', accessToken: 'camel-token-0123' } },
    [password],
  );
  const text = printed(error);
  assert.ok(!text.includes(password.replace('&', '&amp;')), text);
  assert.ok(!text.includes('group-token-0123') && !text.includes('camel-token-0123'), text);
});

test(
  'one policy: drift warnings censor any *secret*/*password* field, not web_view_token or track_code',
  bounded,
  async () => {
    const fixture = await fakeVk();
    const logged: string[] = [];
    fixture.server.reply('users.get', [
      {
        id: 1,
        first_name: 'A',
        last_name: 'B',
        app_secret: 'Qz7#Wk9$Lm2',
        link_with_password: 'https://vk.com/call/join/Mn4Rt8Yp',
        web_view_token: 'ab12cd34',
        track_code: 'tc-0123',
      },
    ]);
    const session = api(fixture, {
      validateResponses: 'warn',
      onResponseProblems: (_method, problems) => logged.push(...problems.map((p) => `${p.path}: ${p.message}`)),
    });
    await session.users.get({ user_ids: [1] });
    const text = logged.join('\n');
    assertHidden(text, 'Qz7#Wk9$Lm2', 'app_secret');
    assert.ok(!text.includes('Mn4Rt8Yp'), text);
    assert.ok(text.includes('"ab12cd34"') && text.includes('"tc-0123"'), text);
    for (const name of [
      'old_password',
      'new_password',
      'client_secret',
      'secret_key',
      'captcha_key',
      'success_token',
      'token',
      'access_token_123',
    ]) {
      assert.ok(isSecretKey(name), name);
    }
    for (const name of ['web_view_token', 'next_page_token', 'track_code', 'code', 'access_key'])
      assert.ok(!isSecretKey(name), name);
  },
);

test('one policy: a params ValidationError censors a secret value of the wrong type', bounded, async () => {
  const fixture = await fakeVk();
  const error = await rejection(
    api(fixture).call('account.changePassword', { new_password: 123456789 as unknown as string }),
  );
  assertHidden(printed(error), '123456789', 'new_password');
});

test('a ParamEncodingError under a secret name does not quote the value', bounded, async () => {
  const fixture = await fakeVk();
  const error = await rejection(
    api(fixture, { validate: false }).call('account.changePassword', {
      new_password: ['Qz7#,Wk9$Lm2'] as unknown as string,
    }),
  );
  assert.ok(error instanceof ParamEncodingError, String(error));
  assertHidden(printed(error), 'Qz7#,Wk9$Lm2', 'new_password');
});

test('a user\'s own execute script: "password":"..." pairs VK echoes are censored by name', bounded, async () => {
  const fixture = await fakeVk();
  fixture.server.reply('execute', () => new FakeApiError({ error_code: 12, error_msg: 'Unable to compile code' }));
  const code = 'return API.account.changePassword({"old_password": "Q#z", "new_password": "Mn4!Rt8&Yp"});';
  const error = await rejection(api(fixture).execute({ code }));
  assert.ok(error instanceof ApiError);
  assert.ok(!printed(error).includes('"Q#z"') && !printed(error).includes('Mn4!Rt8&Yp'), printed(error));
  assert.match(error.requestParamsRecord['code'] ?? '', /"old_password": "\*\*\*"/);
});

test(
  'onExecuteErrors default: the console.warn line of an error inside execute quotes no secret of the script',
  bounded,
  async () => {
    const fixture = await fakeVk();
    const checked = secret('Zq#1tk');
    fixture.server.reply(
      'execute',
      json({
        response: [false],
        execute_errors: [{ method: 'secure.checkToken', error_code: 15, error_msg: `token ${checked} is bad` }],
      }),
    );
    // The console is the fixture's: every line is swept for `checked` after the test.
    await api(fixture).call('execute', { code: `return [API.secure.checkToken({token: "${checked}"})];` });
  },
);

test('a reply that is not JSON and echoes the token: neither the excerpt nor any cause quotes it', bounded, async () => {
  const fixture = await fakeVk();
  fixture.server.reply('users.get', (_params, request) => new RawReply(200, request.params['access_token'] ?? ''));
  const error = await rejection(api(fixture).users.get({ user_ids: [1] }));
  assert.ok(error instanceof TransportError, String(error));
  // JSON.parse's own message would quote the body's first 10 characters: "vk1.a.HARD".
  assert.ok(!printed(error).includes('a.HARD'), printed(error));
});
