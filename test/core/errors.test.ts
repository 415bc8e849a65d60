// Censoring of secrets and the ApiError built from VK's error object.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiErrorCode } from '../../generated/errors.js';
import { censorDeep, censorValue, isSecretKey, scrubText } from '../../src/core/censor.js';
import { ApiError, VkError } from '../../src/core/errors.js';

describe('censor', () => {
  test('values of 32 characters or more keep their first 4 characters; shorter ones none', () => {
    assert.equal(censorValue('abcdefghijklmnopqrstuvwxyz012345'), 'abcd***');
    assert.equal(censorValue('abcdefghijklmnopqrstuvwxyz01234'), '***');
    assert.equal(censorValue('123456789'), '***');
    assert.equal(censorValue(''), '***');
    assert.equal(censorValue(123456), '***');
  });

  test('the secret keys', () => {
    for (const key of ['access_token', 'password', 'pass', 'captcha_key', 'client_secret', 'success_token']) {
      assert.ok(isSecretKey(key), key);
    }
    assert.ok(!isSecretKey('code'), 'VKScript and country codes stay readable in request_params');
    assert.ok(isSecretKey('ACCESS_TOKEN'));
    assert.ok(!isSecretKey('user_ids'));
    assert.ok(!isSecretKey('error_code'));
  });

  test('values under secret keys and secret {key, value} pairs are censored, deep', () => {
    const token = 'vk1.a.token-value-0123456789';
    const censored = censorDeep({
      access_token: token,
      nested: { password: 'hunter2', list: [{ client_secret: 'secret-secret' }] },
      request_params: [
        { key: 'access_token', value: token },
        { key: 'user_ids', value: '1' },
      ],
      user_ids: '1',
    });
    assert.deepEqual(censored, {
      access_token: '***',
      nested: { password: '***', list: [{ client_secret: '***' }] },
      request_params: [
        { key: 'access_token', value: '***' },
        { key: 'user_ids', value: '1' },
      ],
      user_ids: '1',
    });
  });

  test('known secrets are scrubbed from free text; those under 4 characters are not (they would hit ids)', () => {
    const token = 'abcdefghijklmnop';
    assert.equal(scrubText(`token ${token} is bad`, [token]), 'token *** is bad');
    assert.deepEqual(censorDeep({ error_msg: `bad ${token}` }, [token]), { error_msg: 'bad ***' });
    assert.equal(scrubText('user 123 not found', ['123']), 'user 123 not found');
  });

  test('the input is not modified', () => {
    const input = { access_token: 'abcdefghijklmnop' };
    censorDeep(input);
    assert.equal(input.access_token, 'abcdefghijklmnop');
  });
});

describe('ApiError', () => {
  const token = 'vk1.a.SECRET_TOKEN_VALUE_1234';
  const vkError = {
    error_code: 14,
    error_msg: 'Captcha needed',
    error_subcode: 3,
    error_text: 'Введите код',
    request_params: [
      { key: 'method', value: 'wall.post' },
      { key: 'oauth', value: '1' },
      { key: 'v', value: '5.199' },
      { key: 'access_token', value: token },
      { key: 'captcha_key', value: 'qwerty' },
    ],
    captcha_sid: 123456789,
    captcha_img: 'https://api.vk.ru/captcha.php?sid=123456789',
    redirect_uri: 'https://id.vk.ru/not_robot_captcha?sid=1',
    captcha_ts: 1700000000.5,
    captcha_attempt: 1,
    is_refresh_enabled: true,
  };

  test('keeps every field VK sent, in typed form and in raw', () => {
    const error = new ApiError(vkError);
    assert.ok(error instanceof VkError);
    assert.equal(error.name, 'ApiError');
    assert.equal(error.code, ApiErrorCode.Captcha);
    assert.equal(error.subcode, 3);
    assert.equal(error.errorMsg, 'Captcha needed');
    assert.equal(error.errorText, 'Введите код');
    assert.equal(error.captchaSid, '123456789');
    assert.equal(error.captchaImg, vkError.captcha_img);
    assert.equal(error.redirectUri, vkError.redirect_uri);
    assert.equal(error.method, undefined);
    assert.equal(error.raw['captcha_ts'], 1700000000.5);
    assert.equal(error.raw['captcha_attempt'], 1);
    assert.equal(error.raw['is_refresh_enabled'], true);
    assert.deepEqual(Object.keys(error.raw).sort(), Object.keys(vkError).sort());
    assert.equal(error.description, 'Captcha needed');
  });

  test('censors secrets in request_params (list and record), raw and message', () => {
    const error = new ApiError(vkError);
    assert.deepEqual(error.requestParams.slice(3), [
      { key: 'access_token', value: '***' },
      { key: 'captcha_key', value: '***' },
    ]);
    assert.equal(error.requestParamsRecord['access_token'], '***');
    assert.equal(error.requestParamsRecord['method'], 'wall.post');
    const printed = [error.message, String(error.stack), JSON.stringify(error.raw), JSON.stringify(error)].join('\n');
    assert.ok(!printed.includes(token));
    assert.ok(!printed.includes('qwerty'));
  });

  test('text form: <code>. <message>. request_params = {...}', () => {
    const error = new ApiError({
      error_code: 113,
      error_msg: 'Invalid user id',
      request_params: [
        { key: 'method', value: 'users.get' },
        { key: 'user_ids', value: 'x' },
      ],
    });
    assert.equal(error.message, '113. Invalid user id. request_params = {"method":"users.get","user_ids":"x"}');
  });

  test('an execute error names its method and has no request_params', () => {
    const error = new ApiError({ method: 'users.get', error_code: 113, error_msg: 'Invalid user id' });
    assert.equal(error.method, 'users.get');
    assert.deepEqual(error.requestParams, []);
    assert.equal(error.message, '113. Invalid user id');
  });

  test('a code the schema does not know keeps its number and has no description', () => {
    const error = new ApiError({ error_code: 987654, error_msg: 'Brand new' });
    assert.equal(error.code, 987654);
    assert.equal(error.description, undefined);
  });

  test('known secrets VK echoes in its message are scrubbed', () => {
    const error = new ApiError({ error_code: 5, error_msg: `invalid token ${token}` }, [token]);
    assert.equal(error.errorMsg, 'invalid token ***');
    assert.ok(!error.message.includes(token));
  });
});
