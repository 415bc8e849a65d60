// UserAPI's implicit flow against the fake VK login pages: every branch of
// AUTH-FLOWS.md "UserAPI", each ending in a token or a specific AuthError.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, UserAPI, type AuthErrorCode, type UserAPIOptions } from '../../src/index.js';
import {
  alice,
  apiCalls,
  bob,
  fakeVk,
  rejection,
  track,
  useAuthFixtures,
  wrongCaptchaKey,
  wrongCode,
  wrongPassword,
  type Fixture,
} from '../support/auth-fixture.js';
import { RawReply } from '../../src/testing/fake-vk.js';
import type { FakeAccount } from '../../src/testing/oauth.js';

useAuthFixtures();

function userApi(fixture: Fixture, account: FakeAccount, options: UserAPIOptions = {}): UserAPI {
  return track(new UserAPI({ userLogin: account.login, userPassword: account.password, ...fixture.urls, ...options }));
}

async function authError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await rejection(promise);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

function issuedTo(fixture: Fixture, token: string | undefined) {
  return fixture.oauth.issued.get(token ?? '');
}

describe('UserAPI: logging in', () => {
  test('the first call logs in through the form, grants access, and calls with the token', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice, { scope: ['offline', 'wall'] });
    const [user] = await api.users.get({ user_ids: [1] });
    assert.equal(user?.id, alice.userId, 'the call carried a token issued to alice');

    const [call] = apiCalls(fixture);
    assert.equal(issuedTo(fixture, call?.token)?.clientId, 6121396, 'VK Admin is the default app');
    assert.deepEqual(api.authorization, { accessToken: call?.token, userId: alice.userId, expiresIn: 0 });

    const [first, login] = fixture.server.requests;
    assert.equal(first?.httpMethod, 'GET');
    assert.deepEqual(first?.query, {
      client_id: '6121396',
      display: 'mobile',
      response_type: 'token',
      scope: 'offline,wall',
    });
    assert.equal(login?.path, '/login');
    assert.deepEqual(Object.keys(login?.body ?? {}).sort(), ['_origin', 'email', 'ip_h', 'lg_domain_h', 'pass', 'to']);
    assert.match(login?.headers.cookie ?? '', /remixlhk=\w+/, "the login page's cookies go back with the form");
    const grant = fixture.server.requests.find((request) => request.query['act'] === 'grant_access');
    assert.equal(grant?.rawBody, '', 'the grant-access form is posted with an empty body');
  });

  test('authorize() logs in once and returns the token; later calls reuse it', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice);
    const token = await api.authorize();
    assert.equal(issuedTo(fixture, token.accessToken)?.userId, alice.userId);
    assert.equal(await api.authorize(), token);
    await api.utils.getServerTime();
    await api.utils.getServerTime();
    assert.equal(fixture.server.requests.filter((request) => request.query['act'] === 'login').length, 1);
    assert.deepEqual(
      apiCalls(fixture).map((call) => call.token),
      [token.accessToken, token.accessToken],
    );
  });

  test('concurrent first calls share one login', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice);
    await Promise.all([
      api.utils.getServerTime(),
      api.utils.getServerTime(),
      api.authorize(),
      api.utils.getServerTime(),
    ]);
    assert.equal(fixture.server.requests.filter((request) => request.query['act'] === 'login').length, 1);
    const tokens = new Set(apiCalls(fixture).map((call) => call.token));
    assert.equal(tokens.size, 1);
  });

  test('a stored token skips the login', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice, { accessToken: 'vk1.a.stored-token-from-last-week' });
    await api.utils.getServerTime();
    assert.deepEqual(fixture.paths(), ['/method/utils.getServerTime']);
    assert.equal(apiCalls(fixture)[0]?.token, 'vk1.a.stored-token-from-last-week');
    assert.equal(api.authorization?.accessToken, 'vk1.a.stored-token-from-last-week');
  });

  test('a call that brings its own access_token does not log in', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice);
    await api.call('utils.getServerTime', { access_token: 'vk1.a.explicit-token-for-this-call' } as never);
    assert.deepEqual(fixture.paths(), ['/method/utils.getServerTime']);
  });

  test('scope as a bitmask or a comma string is sent as given', async () => {
    const fixture = await fakeVk();
    await userApi(fixture, alice, { scope: 65536 + 8192 }).authorize();
    await userApi(fixture, alice, { scope: 'offline, wall' }).authorize();
    // The first request of a login is the only one without cookies.
    const scopes = fixture.server.requests.filter((r) => r.headers.cookie === undefined).map((r) => r.query['scope']);
    assert.deepEqual(scopes, ['73728', 'offline,wall']);
    assert.throws(() => new UserAPI({ scope: -1 }), RangeError);
    assert.throws(() => new UserAPI({ scope: 'offline;wall' }), RangeError);
  });

  test('a relative form action resolves against the page', async () => {
    const fixture = await fakeVk([alice], { formAction: 'relative' });
    await userApi(fixture, alice).authorize();
    assert.ok(fixture.paths().some((path) => path === '/login?act=login&soft=1'));
  });

  test('the token straight in the redirect fragment (no authorize_url), and remixsid6', async () => {
    const fixture = await fakeVk([alice], { tokenDelivery: 'fragment', sessionCookie: 'remixsid6', grantPage: false });
    const token = await userApi(fixture, alice).authorize();
    assert.equal(issuedTo(fixture, token.accessToken)?.userId, alice.userId);
    assert.ok(!fixture.paths().some((path) => path.includes('grant_access')));
  });

  test('expires_in and user_id come from the fragment', async () => {
    const fixture = await fakeVk([alice], { expiresIn: 86400 });
    const token = await userApi(fixture, alice).authorize();
    assert.equal(token.expiresIn, 86400);
    assert.equal(token.userId, alice.userId);
  });
});

describe('UserAPI: captcha', () => {
  for (const captchaSidIn of ['query', 'fragment'] as const) {
    test(`a captcha (sid in the ${captchaSidIn}) is answered through getCaptchaKey and the login re-posted`, async () => {
      const fixture = await fakeVk([alice], { captchaRounds: 1, captchaSidIn });
      const asked: AuthError[] = [];
      const api = userApi(fixture, alice, {
        getCaptchaKey: (error) => {
          assert.ok(error instanceof AuthError);
          asked.push(error);
          return fixture.oauth.config.captchaKey;
        },
      });
      await api.authorize();
      assert.equal(asked.length, 1);
      assert.equal(asked[0]?.code, 'CAPTCHA_REQUIRED');
      assert.equal(asked[0]?.captchaSid, fixture.oauth.captchaSids[0]);
      assert.equal(asked[0]?.captchaImg, `${fixture.server.url}/captcha.php?sid=${fixture.oauth.captchaSids[0]}&s=1`);
      const answer = fixture.server.requests.find((request) => request.body['captcha_key'] !== undefined);
      assert.equal(answer?.body['captcha_sid'], fixture.oauth.captchaSids[0]);
      assert.equal(answer?.body['email'], alice.login);
      assert.equal(answer?.body['pass'], alice.password);
    });
  }

  test('a wrong key gets a new captcha; answers are bounded by captchaAttempts', { timeout: 10_000 }, async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    const keys = [wrongCaptchaKey, fixture.oauth.config.captchaKey];
    await userApi(fixture, alice, { getCaptchaKey: () => keys.shift() ?? '' }).authorize();
    assert.equal(fixture.oauth.captchaSids.length, 2);

    const stubborn = await fakeVk([alice], { captchaRounds: 1 });
    let asked = 0;
    const error = await authError(
      userApi(stubborn, alice, { captchaAttempts: 2, getCaptchaKey: () => (asked++, wrongCaptchaKey) }).authorize(),
      'CAPTCHA_FAILED',
    );
    assert.equal(asked, 2);
    assert.equal(error.step, 'captcha');
  });

  test('without getCaptchaKey the login fails with CAPTCHA_REQUIRED, carrying the captcha', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    const error = await authError(userApi(fixture, alice).authorize(), 'CAPTCHA_REQUIRED');
    assert.equal(error.captchaSid, fixture.oauth.captchaSids[0]);
    assert.match(error.captchaImg ?? '', /captcha\.php\?sid=/);
  });

  test('an answer that is neither a key nor { successToken } (from JavaScript) fails the login cleanly', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    const error = await authError(
      userApi(fixture, alice, { getCaptchaKey: () => 42 as never }).authorize(),
      'CAPTCHA_FAILED',
    );
    assert.match(error.message, /neither a key nor/);
  });

  test('a success token is no answer to the login page captcha', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    await authError(
      userApi(fixture, alice, { getCaptchaKey: () => ({ successToken: 'x'.repeat(40) }) }).authorize(),
      'CAPTCHA_FAILED',
    );
  });
});

describe('UserAPI: two-factor authentication', () => {
  test('the code from getAuthCheckCode is posted to <oauth> + the form action', async () => {
    const fixture = await fakeVk();
    const checks: unknown[] = [];
    const api = userApi(fixture, bob, { getAuthCheckCode: (check) => (checks.push(check), bob.authCode ?? '') });
    const token = await api.authorize();
    assert.equal(issuedTo(fixture, token.accessToken)?.userId, bob.userId);
    assert.deepEqual(checks, [{ validationType: undefined, phoneMask: undefined, attempt: 1 }]);
    const post = fixture.server.requests.find((request) => request.body['code'] !== undefined);
    assert.equal(post?.path, '/oauth/login', 'a root-relative action is appended to oauthBaseUrl');
    assert.equal(post?.query['act'], 'authcheck_code');
  });

  test('a subclass may supply the code (and the captcha key) by overriding methods', async () => {
    const fixture = await fakeVk([bob], { captchaRounds: 1 });
    class MyUserAPI extends UserAPI {
      protected override getAuthCheckCode(): string {
        return bob.authCode ?? '';
      }
      protected override getCaptchaKey(): string {
        return fixture.oauth.config.captchaKey;
      }
    }
    const api = track(new MyUserAPI({ userLogin: bob.login, userPassword: bob.password, ...fixture.urls }));
    assert.equal(issuedTo(fixture, (await api.authorize()).accessToken)?.userId, bob.userId);
  });

  test('a wrong code is asked again; too many fail with TWO_FACTOR_FAILED', { timeout: 10_000 }, async () => {
    const fixture = await fakeVk();
    const codes = [wrongCode, bob.authCode ?? ''];
    const attempts: number[] = [];
    await userApi(fixture, bob, {
      getAuthCheckCode: ({ attempt }) => (attempts.push(attempt), codes.shift() ?? ''),
    }).authorize();
    assert.deepEqual(attempts, [1, 2]);

    const error = await authError(
      userApi(fixture, bob, { authCheckAttempts: 2, getAuthCheckCode: () => wrongCode }).authorize(),
      'TWO_FACTOR_FAILED',
    );
    assert.equal(error.step, 'two-factor');
  });

  test('an empty code fails the login without posting it', async () => {
    const fixture = await fakeVk();
    await authError(userApi(fixture, bob, { getAuthCheckCode: () => '  ' }).authorize(), 'TWO_FACTOR_FAILED');
    assert.ok(!fixture.server.requests.some((request) => request.body['code'] !== undefined));
  });

  test('without getAuthCheckCode the login fails with TWO_FACTOR_REQUIRED', async () => {
    const fixture = await fakeVk();
    await authError(userApi(fixture, bob).authorize(), 'TWO_FACTOR_REQUIRED');
  });
});

describe('UserAPI: failures', () => {
  test('a wrong password', async () => {
    const fixture = await fakeVk();
    const error = await authError(
      userApi(fixture, alice, { userPassword: wrongPassword }).authorize(),
      'INVALID_CREDENTIALS',
    );
    assert.equal(error.message, '[INVALID_CREDENTIALS] login: Login error (e.g. incorrect password)');
  });

  test("a bad client_id: VK's 401 JSON, description verbatim", async () => {
    const fixture = await fakeVk();
    const error = await authError(userApi(fixture, alice, { clientId: 42 }).authorize(), 'OAUTH_ERROR');
    assert.equal(error.errorDescription, 'client_id is incorrect');
    assert.equal(error.oauthError, 'invalid_client');
    assert.equal(error.status, 401);
    assert.equal(error.step, 'authorize page');
  });

  test('the phone confirmation page', async () => {
    const fixture = await fakeVk([alice], { securityCheck: true });
    const error = await authError(userApi(fixture, alice).authorize(), 'SECURITY_CHECK_REQUIRED');
    assert.match(error.redirectUri ?? '', /act=security_check/);
  });

  test('a login page without the form', async () => {
    const fixture = await fakeVk();
    fixture.server.route(
      '/oauth/authorize',
      () => new RawReply(200, '<html><body>VK is down for maintenance</body></html>'),
    );
    const error = await authError(userApi(fixture, alice).authorize(), 'FORM_NOT_FOUND');
    assert.equal(error.step, 'authorize page');
  });

  test('an error page instead of the login form', async () => {
    const fixture = await fakeVk();
    fixture.server.route('/oauth/authorize', () => new RawReply(502, '<html>Bad Gateway</html>'));
    const error = await authError(userApi(fixture, alice).authorize(), 'UNEXPECTED_RESPONSE');
    assert.equal(error.status, 502);
  });

  for (const tokenDelivery of ['authorize_url', 'fragment'] as const) {
    test(`an OAuth error in the final fragment (access denied, via ${tokenDelivery})`, async () => {
      const fixture = await fakeVk([alice], { denyAccess: true, tokenDelivery });
      const error = await authError(userApi(fixture, alice).authorize(), 'OAUTH_ERROR');
      assert.equal(error.errorDescription, 'User denied your request');
      assert.equal(error.oauthError, 'access_denied');
      assert.equal(error.step, tokenDelivery === 'fragment' ? 'grant access' : 'token');
    });
  }

  test('no token at the end: "OAuth authorization failed"', async () => {
    const fixture = await fakeVk([alice], { tokenDelivery: 'none' });
    const error = await authError(userApi(fixture, alice).authorize(), 'TOKEN_MISSING');
    assert.equal(error.message, '[TOKEN_MISSING] token: OAuth authorization failed');
  });

  test('a redirect loop ends after a bounded number of redirects', { timeout: 10_000 }, async () => {
    const fixture = await fakeVk();
    fixture.server.route('/oauth/authorize', () => new RawReply(302, '', { location: '/oauth/authorize?again=1' }));
    const error = await authError(userApi(fixture, alice).authorize(), 'TOO_MANY_REDIRECTS');
    assert.equal(fixture.server.requests.length, 11);
    assert.equal(error.step, 'authorize page');
  });

  test('without a login or password: MISSING_CREDENTIALS, before any request', async () => {
    const fixture = await fakeVk();
    const api = track(new UserAPI({ userLogin: alice.login, ...fixture.urls }));
    const error = await authError(api.users.get({ user_ids: [1] }), 'MISSING_CREDENTIALS');
    assert.match(error.message, /userPassword not given/);
    assert.equal(fixture.server.requests.length, 0);
  });

  test('a failed login is not kept: the next call logs in again', async () => {
    const fixture = await fakeVk([alice], { captchaRounds: 1 });
    const api = userApi(fixture, alice);
    await authError(api.utils.getServerTime(), 'CAPTCHA_REQUIRED');
    fixture.oauth.config.captchaRounds = 0;
    assert.equal(await api.utils.getServerTime(), 1_700_000_000);
  });

  test('an aborted call stops waiting for the login; the login goes on for the others', async () => {
    const fixture = await fakeVk();
    const api = userApi(fixture, alice);
    const controller = new AbortController();
    const aborted = api.utils.getServerTime(undefined, { signal: controller.signal });
    const other = api.utils.getServerTime();
    controller.abort(new Error('stop'));
    const error = await rejection(aborted);
    assert.equal((error as Error).message, 'stop');
    assert.equal(await other, 1_700_000_000);
  });
});
