// DirectUserAPI's password grant against the fake `/token`: every branch of
// AUTH-FLOWS.md "DirectUserAPI", each ending in a token or a specific AuthError.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, DirectUserAPI, UserAPI, type AuthErrorCode, type DirectUserAPIOptions } from '../../src/index.js';
import {
  alice,
  apiCalls,
  bob,
  fakeVk,
  rejection,
  secret,
  track,
  useAuthFixtures,
  wrongCaptchaKey,
  wrongCode,
  wrongPassword,
  type Fixture,
} from '../support/auth-fixture.js';
import { json, RawReply } from '../../src/testing/fake-vk.js';
import type { FakeAccount } from '../../src/testing/oauth.js';

useAuthFixtures();

function directApi(fixture: Fixture, account: FakeAccount, options: DirectUserAPIOptions = {}): DirectUserAPI {
  return track(
    new DirectUserAPI({ userLogin: account.login, userPassword: account.password, ...fixture.urls, ...options }),
  );
}

async function authError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await rejection(promise);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

const tokenRequests = (fixture: Fixture) =>
  fixture.server.requests.filter((request) => request.path === '/oauth/token');

describe('DirectUserAPI: the password grant', () => {
  test('POSTs the documented fields with the "VK for Android" defaults and calls with the token', async () => {
    const fixture = await fakeVk();
    const api = directApi(fixture, alice);
    assert.ok(api instanceof UserAPI, 'a DirectUserAPI is a UserAPI, as in the seed');
    const [user] = await api.users.get({ user_ids: [1] });
    assert.equal(user?.id, alice.userId);
    const [request] = tokenRequests(fixture);
    assert.equal(request?.httpMethod, 'POST');
    assert.deepEqual(request?.query, {}, 'nothing secret in the URL');
    assert.deepEqual(request?.body, {
      grant_type: 'password',
      client_id: '2274003',
      client_secret: 'hHbZxrka2uZ6jB1inYsH',
      username: alice.login,
      password: alice.password,
      '2fa_supported': '1',
      scope: 'offline',
    });
    assert.equal(api.authorization?.userId, alice.userId);
    assert.equal(api.authorization?.expiresIn, 0);
    assert.equal(apiCalls(fixture)[0]?.token, api.authorization?.accessToken);
  });

  test('wrong password: invalid_client with the description verbatim', async () => {
    const fixture = await fakeVk();
    const error = await authError(
      directApi(fixture, alice, { userPassword: wrongPassword }).authorize(),
      'INVALID_CREDENTIALS',
    );
    assert.equal(error.errorDescription, 'Username or password is incorrect');
    assert.equal(error.errorType, 'username_or_password_is_incorrect');
    assert.equal(error.status, 401);
  });

  test('a bad client: OAUTH_ERROR with the description verbatim', async () => {
    const fixture = await fakeVk();
    const badId = await authError(directApi(fixture, alice, { clientId: 42 }).authorize(), 'OAUTH_ERROR');
    assert.equal(badId.errorDescription, 'client_id is incorrect');
    assert.equal(badId.oauthError, 'invalid_client');
    const badSecret = await authError(
      directApi(fixture, alice, { clientSecret: 'not-the-secret-at-all' }).authorize(),
      'OAUTH_ERROR',
    );
    assert.equal(badSecret.errorDescription, 'client_secret is incorrect');
  });

  test('secrets VK echoes back are censored in the error, its fields and its raw reply', async () => {
    const fixture = await fakeVk();
    fixture.server.route('/oauth/token', (request) =>
      json(
        {
          error: 'invalid_request',
          error_description: `bad password ${request.body['password']}`,
          password: request.body['password'],
        },
        400,
      ),
    );
    const error = await authError(directApi(fixture, alice).authorize(), 'OAUTH_ERROR');
    assert.equal(error.errorDescription, 'bad password ***');
    assert.equal(error.message, '[OAUTH_ERROR] password grant: bad password ***');
    assert.equal(error.raw?.['password'], '***');
  });

  test('a reply that is not JSON', async () => {
    const fixture = await fakeVk();
    fixture.server.route('/oauth/token', () => new RawReply(503, '<html>Service Unavailable</html>'));
    const error = await authError(directApi(fixture, alice).authorize(), 'UNEXPECTED_RESPONSE');
    assert.equal(error.status, 503);
  });
});

describe('DirectUserAPI: captcha', () => {
  test('need_captcha: step 1 is re-sent with captcha_sid and captcha_key', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    let asked: AuthError | undefined;
    const api = directApi(fixture, alice, {
      getCaptchaKey: (error) => ((asked = error as AuthError), fixture.oauth.config.captchaKey),
    });
    await api.authorize();
    assert.equal(asked?.code, 'CAPTCHA_REQUIRED');
    assert.equal(asked?.captchaSid, fixture.oauth.captchaSids[0]);
    assert.match(asked?.captchaImg ?? '', /captcha\.php\?sid=/);
    const [, answered] = tokenRequests(fixture);
    assert.equal(answered?.body['captcha_sid'], fixture.oauth.captchaSids[0]);
    assert.equal(answered?.body['captcha_key'], fixture.oauth.config.captchaKey);
    assert.equal(answered?.body['captcha_img'], undefined, "the seed's misnamed field is not copied");
  });

  test('an answer is sent once; wrong answers are bounded by captchaAttempts', { timeout: 10_000 }, async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    let asked = 0;
    await authError(
      directApi(fixture, alice, { captchaAttempts: 3, getCaptchaKey: () => (asked++, wrongCaptchaKey) }).authorize(),
      'CAPTCHA_FAILED',
    );
    assert.equal(asked, 3);
    assert.equal(tokenRequests(fixture).length, 4);
    assert.equal(tokenRequests(fixture)[0]?.body['captcha_key'], undefined);
  });

  test('the newer captcha: a success token is sent as success_token', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    const successToken = secret('captcha-success-token-0123456789');
    await authError(
      directApi(fixture, alice, { captchaAttempts: 1, getCaptchaKey: () => ({ successToken }) }).authorize(),
      'CAPTCHA_FAILED',
    );
    assert.equal(tokenRequests(fixture)[1]?.body['success_token'], successToken);
    assert.equal(tokenRequests(fixture)[1]?.body['captcha_key'], undefined);
  });
});

describe('DirectUserAPI: two-factor authentication', () => {
  test('need_validation with a validation_type: step 1 is re-sent with code', async () => {
    const fixture = await fakeVk();
    const checks: unknown[] = [];
    const api = directApi(fixture, bob, { getAuthCheckCode: (check) => (checks.push(check), bob.authCode ?? '') });
    assert.equal((await api.authorize()).userId, bob.userId);
    assert.deepEqual(checks, [{ validationType: '2fa_app', phoneMask: '+7 *** *** ** 12', attempt: 1 }]);
    assert.equal(tokenRequests(fixture)[1]?.body['code'], bob.authCode);
    assert.ok(!fixture.paths().some((path) => path.startsWith('/m/')), 'no validation page');
  });

  test(
    'a wrong code (wrong_otp) is asked again; too many fail with TWO_FACTOR_FAILED',
    { timeout: 10_000 },
    async () => {
      const fixture = await fakeVk();
      const codes = [wrongCode, bob.authCode ?? ''];
      await directApi(fixture, bob, { getAuthCheckCode: () => codes.shift() ?? '' }).authorize();
      assert.deepEqual(
        tokenRequests(fixture).map((request) => request.body['code']),
        [undefined, wrongCode, bob.authCode],
      );

      const error = await authError(
        directApi(fixture, bob, { authCheckAttempts: 2, getAuthCheckCode: () => wrongCode }).authorize(),
        'TWO_FACTOR_FAILED',
      );
      assert.match(error.message, /refused 2 two-factor code/);
    },
  );

  test('without getAuthCheckCode: TWO_FACTOR_REQUIRED', async () => {
    const fixture = await fakeVk();
    await authError(directApi(fixture, bob).authorize(), 'TWO_FACTOR_REQUIRED');
  });

  test('need_validation with only a redirect_uri: the validation page, code posted to <m> + the form action', async () => {
    const fixture = await fakeVk([bob], { directTwoFactor: 'page' });
    const codes = [wrongCode, bob.authCode ?? ''];
    const api = directApi(fixture, bob, { getAuthCheckCode: () => codes.shift() ?? '' });
    const token = await api.authorize();
    assert.equal(token.userId, bob.userId);
    assert.equal(fixture.oauth.issued.get(token.accessToken)?.userId, bob.userId);
    const posts = fixture.server.requests.filter(
      (request) => request.body['code'] !== undefined && request.path !== '/oauth/token',
    );
    assert.deepEqual(
      posts.map((request) => request.path),
      ['/m/login', '/m/login'],
    );
  });

  test('a captcha inside the validation page (act=authcheck_code)', async () => {
    const fixture = await fakeVk([bob], { directTwoFactor: 'page', validationCaptchaRounds: 1 });
    const keys = [wrongCaptchaKey, fixture.oauth.config.captchaKey];
    const api = directApi(fixture, bob, {
      getAuthCheckCode: () => bob.authCode ?? '',
      getCaptchaKey: () => keys.shift() ?? '',
    });
    assert.equal((await api.authorize()).userId, bob.userId);
    assert.equal(fixture.oauth.captchaSids.length, 2);
  });

  test('the validation page ending in #fail', async () => {
    const fixture = await fakeVk([bob], { directTwoFactor: 'page', validationFailAfter: 1 });
    const error = await authError(
      directApi(fixture, bob, { getAuthCheckCode: () => wrongCode }).authorize(),
      'TWO_FACTOR_FAILED',
    );
    assert.equal(error.step, 'validation page');
  });

  test('a validation page without its form, or ending without a token', async () => {
    const fixture = await fakeVk([bob], { directTwoFactor: 'page' });
    const options = { getAuthCheckCode: () => bob.authCode ?? '' };
    const removeRoute = fixture.server.route('/m/login', () => new RawReply(200, '<html>Something went wrong</html>'));
    const noForm = await authError(directApi(fixture, bob, options).authorize(), 'FORM_NOT_FOUND');
    assert.equal(noForm.step, 'validation page');
    removeRoute();
    fixture.server.route('/m/login', () => new RawReply(302, '', { location: '/m/feed' }));
    fixture.server.route('/m/feed', () => new RawReply(200, '<html>News</html>'));
    await authError(directApi(fixture, bob, options).authorize(), 'TOKEN_MISSING');
  });

  test('need_validation with a redirect_uri that is no URL: UNEXPECTED_RESPONSE, not a TypeError', async () => {
    const fixture = await fakeVk();
    fixture.server.route('/oauth/token', () => json({ error: 'need_validation', redirect_uri: 'http://[oops/' }, 401));
    const error = await authError(directApi(fixture, bob).authorize(), 'UNEXPECTED_RESPONSE');
    assert.equal(error.step, 'validation page');
  });

  test('need_validation for a phone check: SECURITY_CHECK_REQUIRED', async () => {
    const fixture = await fakeVk([alice], { securityCheck: true });
    const error = await authError(directApi(fixture, alice).authorize(), 'SECURITY_CHECK_REQUIRED');
    assert.match(error.redirectUri ?? '', /act=security_check/);
  });
});
