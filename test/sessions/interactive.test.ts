// Interactive mode with injected streams: the prompts' text and order, answers
// cached once given, secrets typed without echo, and an input that ends (no hang).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PassThrough, Writable } from 'node:stream';
import { API, AuthError, CommunityAPI, DirectUserAPI, UserAPI, type InteractiveStreams } from '../../src/index.js';
import { alice, bob, fakeVk, rejection, secret, track, useAuthFixtures, wrongPassword } from '../support/auth-fixture.js';

useAuthFixtures();

/** A terminal stand-in: records what the session writes and, like a person at the
 * keyboard, types the answer to each prompt once it appears. */
class Terminal {
  readonly input = new PassThrough();
  text = '';
  readonly output: Writable;
  readonly #answers: [prompt: string, answer: string][];

  constructor(answers: [prompt: string, answer: string][], tty = false) {
    this.#answers = answers;
    const terminal = this;
    this.output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        terminal.text += chunk.toString();
        const next = terminal.#answers[0];
        if (next && terminal.text.endsWith(next[0])) {
          terminal.#answers.shift();
          setImmediate(() => terminal.input.write(`${next[1]}\n`));
        }
        callback();
      },
    });
    if (tty) {
      Object.assign(this.input, { isTTY: true, setRawMode: () => this.input });
      Object.assign(this.output, { isTTY: true, columns: 80 });
    }
  }

  get streams(): InteractiveStreams {
    return { input: this.input, output: this.output };
  }
}

describe('interactive mode', { timeout: 20_000 }, () => {
  test('UserAPI asks for login, password, captcha key and 2FA code, in that order, with the exact prompts', async () => {
    const fixture = await fakeVk([bob], { captchaRounds: 1 });
    const terminal = new Terminal([
      ['VK user login: ', bob.login],
      ['VK user password: ', bob.password],
      ['Enter CAPTCHA key: ', fixture.oauth.config.captchaKey],
      ['Auth check code: ', bob.authCode ?? ''],
    ]);
    const api = track(new UserAPI({ interactive: terminal.streams, ...fixture.urls }));
    const token = await api.authorize();
    assert.equal(token.userId, bob.userId);
    const captchaUrl = `${fixture.server.url}/captcha.php?sid=${fixture.oauth.captchaSids[0]}&s=1`;
    assert.equal(
      terminal.text,
      `VK user login: VK user password: Open CAPTCHA image url: ${captchaUrl}\nEnter CAPTCHA key: Auth check code: `,
    );
  });

  test('login and password are asked once: a second login after a failure reuses them', async () => {
    const fixture = await fakeVk([alice]);
    const terminal = new Terminal([
      ['VK user login: ', alice.login],
      ['VK user password: ', wrongPassword],
    ]);
    const api = track(new UserAPI({ interactive: terminal.streams, ...fixture.urls }));
    await rejection(api.authorize());
    await rejection(api.authorize());
    assert.equal(terminal.text, 'VK user login: VK user password: ');
    const logins = fixture.server.requests.filter((request) => request.query['act'] === 'login');
    assert.deepEqual(
      logins.map((request) => request.body['email']),
      [alice.login, alice.login],
    );
  });

  test('only what was not given is asked; callbacks win over prompts', async () => {
    const fixture = await fakeVk([bob]);
    const terminal = new Terminal([['VK user password: ', bob.password]]);
    const api = track(
      new DirectUserAPI({
        userLogin: bob.login,
        interactive: terminal.streams,
        getAuthCheckCode: () => bob.authCode ?? '',
        ...fixture.urls,
      }),
    );
    assert.equal((await api.authorize()).userId, bob.userId);
    assert.equal(terminal.text, 'VK user password: ');
  });

  test('CommunityAPI asks for the credentials too', async () => {
    const fixture = await fakeVk([bob]);
    const terminal = new Terminal([
      ['VK user login: ', bob.login],
      ['VK user password: ', bob.password],
      ['Auth check code: ', bob.authCode ?? ''],
    ]);
    const api = track(new CommunityAPI({ groupIds: [123], interactive: terminal.streams, ...fixture.urls }));
    assert.ok((await api.authorize()).groupTokens[123]);
    assert.equal(terminal.text, 'VK user login: VK user password: Auth check code: ');
  });

  test('API asks for the token once, even for concurrent calls', async () => {
    const fixture = await fakeVk();
    const token = secret('vk1.a.typed-in-token-0123456789');
    const terminal = new Terminal([['VK API access token: ', token]]);
    const api = track(
      new API({ interactive: terminal.streams, apiBaseUrl: fixture.server.apiBaseUrl, rateLimit: false }),
    );
    await Promise.all([api.utils.getServerTime(), api.utils.getServerTime()]);
    await api.utils.getServerTime();
    assert.equal(terminal.text, 'VK API access token: ');
    assert.deepEqual(
      fixture.server.requests.map((request) => request.body['access_token']),
      [token, token, token],
    );
  });

  test('answers typed ahead in one chunk are used in order', async () => {
    const fixture = await fakeVk([alice]);
    const terminal = new Terminal([]);
    terminal.input.write(`${alice.login}\n${alice.password}\n`);
    const api = track(new UserAPI({ interactive: terminal.streams, ...fixture.urls }));
    assert.equal((await api.authorize()).userId, alice.userId);
    assert.equal(terminal.text, 'VK user login: VK user password: ');
  });

  test('on a terminal the password is not echoed; the login is', async () => {
    const fixture = await fakeVk([alice]);
    const terminal = new Terminal(
      [
        ['VK user login: ', alice.login],
        ['VK user password: ', alice.password],
      ],
      true,
    );
    const api = track(new UserAPI({ interactive: terminal.streams, ...fixture.urls }));
    assert.equal((await api.authorize()).userId, alice.userId);
    assert.ok(terminal.text.includes(alice.login), 'the login is echoed');
    assert.ok(!terminal.text.includes(alice.password), `the password was echoed: ${JSON.stringify(terminal.text)}`);
    assert.ok(terminal.text.endsWith('VK user password: \n'));
  });

  test('an input that ends before an answer fails with INPUT_CLOSED instead of hanging', async () => {
    const fixture = await fakeVk([alice]);
    const terminal = new Terminal([]);
    terminal.input.end(`${alice.login}\n`);
    const api = track(new UserAPI({ interactive: terminal.streams, ...fixture.urls }));
    const error = await rejection(api.authorize());
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, 'INPUT_CLOSED');
    assert.match(error.message, /VK user password/);
    assert.equal(fixture.server.requests.length, 0);
  });
});
