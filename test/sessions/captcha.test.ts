// VK's newer captcha end to end (dev.vk.com/en/api/captcha-error): error 14 with a
// `redirect_uri` and a `remixstlid` beyond 2^53; the call re-sent with the success
// token and every digit of remixstlid; the image captcha as before; interactive
// mode; and the success token kept out of every error and log line.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PassThrough, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { API, ApiError, VkError, type APIOptions, type CaptchaError } from '../../src/index.js';
import { Prompter } from '../../src/sessions/interactive.js';
import { fakeVk, rejection, replySequence, secret, sent, track, useAuthFixtures, type Fixture } from '../support/auth-fixture.js';
import { FakeApiError, RawReply, json } from '../../src/testing/fake-vk.js';

useAuthFixtures();

const token = 'vk1.a.captcha-test-token-0123456789';
/** VK's own example: JSON.parse would make it 9069780796616522000. */
const remixstlid = '9069780796616521905';
const redirectUri =
  'https://id.vk.ru/not_robot_captcha?domain=vk.com&session_token=eyJhbGci.0PlW&variant=popup&blank=1';
const successToken = 'success-token-from-the-captcha-page';

function api(fixture: Fixture, options: APIOptions = {}): API {
  secret(token);
  secret(successToken);
  return track(
    new API({ accessToken: token, apiBaseUrl: fixture.server.apiBaseUrl, rateLimit: false, maxRetries: 0, ...options }),
  );
}


/** The newer captcha as VK sends it: remixstlid a bare 19-digit number in the body. */
const newerCaptcha = new FakeApiError({
  error_code: 14,
  error_msg: 'Captcha needed',
  redirect_uri: redirectUri,
  remixstlid: BigInt(remixstlid),
});

const imageCaptcha = new FakeApiError({
  error_code: 14,
  error_msg: 'Captcha needed',
  captcha_sid: '239633676097',
  captcha_img: 'https://api.vk.ru/captcha.php?sid=239633676097&s=1',
});

describe('the newer captcha (redirect_uri, remixstlid)', () => {
  test('the re-send carries success_token and remixstlid=9069780796616521905, every digit', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [newerCaptcha, { post_id: 7 }]);
    const asked: CaptchaError[] = [];
    const session = api(fixture, { getCaptchaKey: (error) => (asked.push(error), { successToken }) });
    assert.deepEqual(await session.wall.post({ message: 'hi' }), { post_id: 7 });

    const [error] = asked;
    assert.ok(error instanceof ApiError);
    assert.equal(error.redirectUri, redirectUri);
    assert.equal(error.remixstlid, remixstlid);
    assert.equal(error.raw['remixstlid'], remixstlid);
    const resent = sent(fixture, 'wall.post')[1];
    assert.ok(resent);
    assert.ok(resent.rawBody.includes(`&remixstlid=${remixstlid}&`), resent.rawBody);
    assert.equal(resent.body['remixstlid'], remixstlid);
    assert.equal(resent.body['success_token'], successToken);
    assert.equal(resent.body['message'], 'hi');
    assert.equal(resent.body['captcha_key'], undefined);
  });

  test('the digits come from the reply text; a key-like text inside a string is left as it is', async () => {
    const fixture = await fakeVk();
    const lookalike = `\\"remixstlid\\": 12345678901234567890`;
    replySequence(fixture, 'wall.post', [
      new RawReply(
        200,
        `{"error": {"error_code": 14, "error_msg": "Captcha needed ${lookalike}", "redirect_uri": "${redirectUri}",` +
          ` "remixstlid" : ${remixstlid}, "captcha_ts": 1700000000.1234567}}`,
      ),
      new RawReply(200, `{"response": {"text": "${lookalike}"}}`),
    ]);
    let asked: CaptchaError | undefined;
    const session = api(fixture, { getCaptchaKey: (error) => ((asked = error), { successToken }) });
    assert.deepEqual(await session.call('wall.post', {}), { text: '"remixstlid": 12345678901234567890' });
    assert.ok(asked instanceof ApiError);
    assert.equal(asked.errorMsg, 'Captcha needed "remixstlid": 12345678901234567890');
    assert.equal(asked.remixstlid, remixstlid);
    const resent = sent(fixture, 'wall.post')[1]?.body;
    assert.equal(resent?.['remixstlid'], remixstlid);
    assert.equal(resent?.['captcha_ts'], '1700000000.1234567');
  });

  test('an error inside execute keeps the digits of its remixstlid too', async () => {
    const fixture = await fakeVk();
    const captchaInside = {
      method: 'wall.post',
      error_code: 14,
      error_msg: 'Captcha needed',
      remixstlid: BigInt(remixstlid),
    };
    fixture.server.reply('execute', json({ response: [false], execute_errors: [captchaInside] }));
    const { executeErrors } = await api(fixture).execute({ code: 'return [API.wall.post({})];' });
    assert.equal(executeErrors[0]?.remixstlid, remixstlid);
  });

  test('the success token never shows: not in the error VK repeats, its request_params, inspect or logs', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('wall.post', () => newerCaptcha);
    const session = api(fixture, { captchaAttempts: 1, getCaptchaKey: () => ({ successToken }) });
    const error = await rejection(session.wall.post({ message: 'hi' }));
    assert.ok(error instanceof ApiError && error.code === 14);
    assert.equal(sent(fixture, 'wall.post').length, 2);
    assert.equal(error.requestParamsRecord['success_token'], 'succ***');
    assert.equal(error.requestParamsRecord['remixstlid'], remixstlid, 'remixstlid is no secret');
    assert.ok(!inspect(error, { depth: Infinity }).includes(successToken));
    // useAuthFixtures checks every error and log line of the test for the token too.
  });
});

describe('the image captcha (captcha_sid, captcha_img), as before', () => {
  test('a key is sent back with captcha_sid and captcha_key, without success_token or remixstlid', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [imageCaptcha, { post_id: 8 }]);
    const captchaKey = secret('typed-off-the-image');
    const session = api(fixture, { getCaptchaKey: () => captchaKey });
    assert.deepEqual(await session.wall.post({ message: 'hi' }), { post_id: 8 });
    const resent = sent(fixture, 'wall.post')[1]?.body;
    assert.equal(resent?.['captcha_sid'], '239633676097');
    assert.equal(resent?.['captcha_key'], captchaKey);
    assert.equal(resent?.['success_token'], undefined);
    assert.equal(resent?.['remixstlid'], undefined);
  });

  test('a key for a captcha without captcha_sid is refused before anything is re-sent', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('wall.post', () => newerCaptcha);
    const error = await rejection(api(fixture, { getCaptchaKey: () => 'a-key' }).wall.post({ message: 'hi' }));
    assert.ok(error instanceof VkError && !(error instanceof ApiError));
    assert.match(error.message, /no captcha_sid: answer \{ successToken \}/);
    assert.equal(sent(fixture, 'wall.post').length, 1);
  });
});

/** A terminal stand-in: records what is written and types each answer once its prompt appears. */
function terminal(answers: [prompt: string, answer: string][], tty = false) {
  const input = new PassThrough();
  const seen = { text: '' };
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      seen.text += chunk.toString();
      const next = answers[0];
      if (next && seen.text.endsWith(next[0])) {
        answers.shift();
        setImmediate(() => input.write(`${next[1]}\n`));
      }
      callback();
    },
  });
  if (tty) {
    Object.assign(input, { isTTY: true, setRawMode: () => input });
    Object.assign(output, { isTTY: true, columns: 80 });
  }
  return { streams: { input, output }, seen };
}

describe('interactive mode', () => {
  test('shows the redirect URI and asks for the success token, typed without echo', async () => {
    const { streams, seen } = terminal([['Enter CAPTCHA success token: ', `${successToken}  `]], true);
    const answer = await new Prompter(streams).captchaAnswer({ redirectUri, captchaImg: undefined });
    assert.deepEqual(answer, { successToken });
    assert.equal(seen.text, `Open CAPTCHA page url: ${redirectUri}\nEnter CAPTCHA success token: \n`);
  });

  test('the image captcha still shows the image and asks for the key; a captcha with neither asks nothing', async () => {
    const { streams, seen } = terminal([['Enter CAPTCHA key: ', 'abc12']]);
    const prompter = new Prompter(streams);
    assert.equal(await prompter.captchaAnswer({ redirectUri: undefined, captchaImg: 'https://vk.ru/c.png' }), 'abc12');
    assert.equal(seen.text, 'Open CAPTCHA image url: https://vk.ru/c.png\nEnter CAPTCHA key: ');
    assert.equal(prompter.captchaAnswer({ redirectUri: undefined, captchaImg: undefined }), undefined);
  });

  test('an interactive session shows the captcha page and re-sends the typed token with remixstlid', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [newerCaptcha, { post_id: 9 }]);
    const { streams, seen } = terminal([['Enter CAPTCHA success token: ', successToken]]);
    secret(token);
    secret(successToken);
    const session = track(
      new API({
        accessToken: token,
        apiBaseUrl: fixture.server.apiBaseUrl,
        rateLimit: false,
        interactive: streams,
      }),
    );
    assert.deepEqual(await session.wall.post({ message: 'hi' }), { post_id: 9 });
    assert.ok(seen.text.includes(`Open CAPTCHA page url: ${redirectUri}\n`));
    const resent = sent(fixture, 'wall.post')[1]?.body;
    assert.equal(resent?.['success_token'], successToken);
    assert.equal(resent?.['remixstlid'], remixstlid);
  });
});

describe('cancellation', () => {
  test('a signal aborted while getCaptchaKey waits: nothing is re-sent, the call rejects with its reason', async () => {
    const fixture = await fakeVk();
    replySequence(fixture, 'wall.post', [newerCaptcha, { post_id: 10 }]);
    const controller = new AbortController();
    const reason = new Error('the user gave up');
    const session = api(fixture, {
      getCaptchaKey: async () => {
        controller.abort(reason);
        return { successToken };
      },
    });
    const error = await rejection(session.wall.post({ message: 'hi' }, { signal: controller.signal }));
    assert.equal(error, reason);
    assert.equal(sent(fixture, 'wall.post').length, 1);
  });
});
