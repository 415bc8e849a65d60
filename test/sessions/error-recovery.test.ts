// The error hooks of every session (AUTH-FLOWS.md, "API"): handlers keyed by error
// code, onApiError, retries from handlers, and the captcha answer for error 14, as
// constructor options and as subclass overrides. Every re-send is bounded.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  API,
  ApiError,
  ApiErrorCode,
  VkError,
  type APIOptions,
  type ApiErrorRequest,
  type CaptchaError,
} from '../../src/index.js';
import { fakeVk, rejection, replySequence, secret, sent, track, useAuthFixtures, type Fixture } from '../support/auth-fixture.js';
import { FakeApiError, json } from '../../src/testing/fake-vk.js';

useAuthFixtures();

const token = 'vk1.a.hooks-test-token-0123456789';
const captchaKey = 'captcha-answer-42';

function api(fixture: Fixture, options: APIOptions = {}): API {
  secret(token);
  secret(captchaKey);
  return track(
    new API({ accessToken: token, apiBaseUrl: fixture.server.apiBaseUrl, rateLimit: false, maxRetries: 0, ...options }),
  );
}

const accessDenied = new FakeApiError({ error_code: 15, error_msg: 'Access denied' });
const captchaNeeded = (sid: string) =>
  new FakeApiError({
    error_code: 14,
    error_msg: 'Captcha needed',
    captcha_sid: sid,
    captcha_img: `https://api.vk.ru/captcha.php?sid=${sid}`,
  });

describe('handlers for API errors', () => {
  test("a handler keyed by the error's code: its return value becomes the call's result", async () => {
    const fixture = await fakeVk();
    fixture.server.replyError('wall.get', { error_code: 15, error_msg: 'Access denied: wall is private' });
    const seen: [ApiError, ApiErrorRequest][] = [];
    const session = api(fixture, {
      apiErrorHandlers: {
        [ApiErrorCode.Access]: (error, request) => (seen.push([error, request]), { count: 0, items: [] }),
      },
      onApiError: () => assert.fail('the keyed handler comes first'),
    });
    assert.deepEqual(await session.wall.get({ owner_id: 1 }), { count: 0, items: [] });
    const [[error, request] = []] = seen;
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 15);
    assert.equal(request?.method, 'wall.get');
    assert.deepEqual(request?.params, { owner_id: 1 });
    assert.equal(request?.attempt, 1);
  });

  test('onApiError takes the codes no keyed handler takes; without either, the error is thrown', async () => {
    const fixture = await fakeVk();
    fixture.server.replyError('wall.get', { error_code: 15, error_msg: 'Access denied' });
    const codes: number[] = [];
    assert.equal(
      await api(fixture, { onApiError: (error) => (codes.push(error.code), 'fallback') }).call('wall.get', {}),
      'fallback',
    );
    assert.deepEqual(codes, [15]);
    const error = await rejection(api(fixture).call('wall.get', {}));
    assert.ok(error instanceof ApiError && error.code === 15);
  });

  test('a handler retries with request.retry(), params merged over the call’s own', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.get', [accessDenied, { count: 1, items: [] }]);
    const session = api(fixture, { apiErrorHandlers: { 15: (_error, request) => request.retry({ owner_id: 2 }) } });
    assert.deepEqual(await session.wall.get({ owner_id: 1, count: 5 }), { count: 1, items: [] });
    assert.deepEqual(
      sent(fixture, 'wall.get').map((request) => [request.body['owner_id'], request.body['count']]),
      [
        ['1', '5'],
        ['2', '5'],
      ],
    );
  });

  test('retries are bounded by maxHandlerRetries; then the error is thrown', { timeout: 10_000 }, async () => {
    const fixture = await fakeVk();
    fixture.server.reply('wall.get', () => accessDenied);
    const attempts: number[] = [];
    const session = api(fixture, {
      maxHandlerRetries: 2,
      onApiError: (_error, request) => (attempts.push(request.attempt), request.retry()),
    });
    const error = await rejection(session.call('wall.get', {}));
    assert.ok(error instanceof ApiError && error.code === 15);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(sent(fixture, 'wall.get').length, 3);
  });

  test("a retry's execute_errors are reported, not lost", async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'execute', [
      accessDenied,
      json({
        response: [1, false],
        execute_errors: [{ method: 'wall.get', error_code: 15, error_msg: 'Access denied' }],
      }),
    ]);
    const reported: ApiError[][] = [];
    const session = api(fixture, {
      onExecuteErrors: (errors) => reported.push(errors),
      onApiError: (_error, request) => request.retry(),
    });
    assert.deepEqual(await session.call('execute', { code: 'return [1, API.wall.get()];' }), [1, false]);
    assert.equal(reported[0]?.[0]?.method, 'wall.get');
  });

  test('a subclass overrides onApiError and the keyed handlers, as the seed’s on_api_error(_<code>)', async () => {
    const fixture = await fakeVk();
    fixture.server.replyError('wall.get', { error_code: 15, error_msg: 'Access denied' });
    fixture.server.replyError('wall.post', { error_code: 214, error_msg: 'Access to adding post denied' });
    class MyAPI extends API {
      protected override apiErrorHandlers = { [ApiErrorCode.Access]: () => 'keyed' };
      protected override onApiError(error: ApiError): unknown {
        return `fallback for ${error.code}`;
      }
    }
    const session = track(new MyAPI({ accessToken: token, apiBaseUrl: fixture.server.apiBaseUrl, rateLimit: false }));
    assert.equal(await session.call('wall.get', {}), 'keyed');
    assert.equal(await session.call('wall.post', {}), 'fallback for 214');
  });
});

describe('captcha (error 14)', () => {
  test('getCaptchaKey answers; the call is re-sent with captcha_sid and captcha_key', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [captchaNeeded('111'), { post_id: 7 }]);
    const asked: CaptchaError[] = [];
    const session = api(fixture, { getCaptchaKey: (error) => (asked.push(error), captchaKey) });
    assert.deepEqual(await session.wall.post({ message: 'hi' }), { post_id: 7 });
    assert.ok(asked[0] instanceof ApiError);
    assert.equal(asked[0].captchaSid, '111');
    assert.equal(asked[0].captchaImg, 'https://api.vk.ru/captcha.php?sid=111');
    const [, resent] = sent(fixture, 'wall.post');
    assert.equal(resent?.body['message'], 'hi');
    assert.equal(resent?.body['captcha_sid'], '111');
    assert.equal(resent?.body['captcha_key'], captchaKey);
  });

  test(
    'answers are bounded by captchaAttempts; the last error 14 is thrown, the key censored',
    { timeout: 10_000 },
    async () => {
      const fixture = await fakeVk();
      let sid = 0;
      fixture.server.reply('wall.post', () => captchaNeeded(String(++sid)));
      let asked = 0;
      const session = api(fixture, { captchaAttempts: 2, getCaptchaKey: () => (asked++, captchaKey) });
      const error = await rejection(session.wall.post({ message: 'hi' }));
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 14);
      assert.equal(error.captchaSid, '3');
      assert.equal(asked, 2);
      assert.equal(sent(fixture, 'wall.post').length, 3);
      assert.equal(error.requestParamsRecord['captcha_key'], '***');
    },
  );

  test('an answer that is neither a key nor { successToken } is refused before anything is re-sent', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('wall.post', () => captchaNeeded('6'));
    const error = await rejection(api(fixture, { getCaptchaKey: () => null as never }).wall.post({ message: 'hi' }));
    assert.ok(error instanceof VkError && !(error instanceof ApiError));
    assert.match(error.message, /neither a key nor/);
    assert.equal(sent(fixture, 'wall.post').length, 1);
  });

  test('without getCaptchaKey, error 14 is thrown as is', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('wall.post', () => captchaNeeded('5'));
    const error = await rejection(api(fixture).wall.post({ message: 'hi' }));
    assert.ok(error instanceof ApiError && error.code === 14 && error.captchaSid === '5');
    assert.equal(sent(fixture, 'wall.post').length, 1);
  });

  test('the newer captcha: { successToken } is sent back with the fields VK sent', async () => {
    const fixture = await fakeVk();
    const newerCaptcha = new FakeApiError({
      error_code: 14,
      error_msg: 'Captcha needed',
      captcha_sid: '222',
      captcha_ts: 1_700_000_000.5,
      captcha_attempt: 1,
      redirect_uri: 'https://id.vk.ru/not_robot_captcha?session_token=abc',
    });
    replySequence(fixture, 'wall.post', [newerCaptcha, { post_id: 8 }]);
    let redirectUri: string | undefined;
    const session = api(fixture, {
      getCaptchaKey: (error) => (
        (redirectUri = error.redirectUri),
        { successToken: secret('success-token-from-the-page') }
      ),
    });
    assert.deepEqual(await session.wall.post({ message: 'hi' }), { post_id: 8 });
    assert.equal(redirectUri, 'https://id.vk.ru/not_robot_captcha?session_token=abc');
    const resent = sent(fixture, 'wall.post')[1]?.body;
    assert.equal(resent?.['success_token'], 'success-token-from-the-page');
    assert.equal(resent?.['captcha_sid'], '222');
    assert.equal(resent?.['captcha_ts'], '1700000000.5');
    assert.equal(resent?.['captcha_attempt'], '1');
  });

  test('a handler keyed by 14 replaces the captcha answer; a re-send failing otherwise goes through the handlers again', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [captchaNeeded('9'), accessDenied]);
    const session = api(fixture, {
      getCaptchaKey: () => assert.fail('the keyed handler comes first'),
      apiErrorHandlers: {
        [ApiErrorCode.Captcha]: (error, request) =>
          request.retry({ captcha_sid: error.captchaSid, captcha_key: captchaKey }),
        [ApiErrorCode.Access]: () => 'handled after the retry',
      },
    });
    assert.equal(await session.call('wall.post', {}), 'handled after the retry');
  });

  test('a subclass answers by overriding getCaptchaKey', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [captchaNeeded('12'), { post_id: 9 }]);
    class MyAPI extends API {
      protected override getCaptchaKey(error: CaptchaError): string {
        return `key-for-${error.captchaSid}`;
      }
    }
    const session = track(new MyAPI({ accessToken: token, apiBaseUrl: fixture.server.apiBaseUrl, rateLimit: false }));
    await session.wall.post({ message: 'hi' });
    assert.equal(sent(fixture, 'wall.post')[1]?.body['captcha_key'], 'key-for-12');
  });
});
