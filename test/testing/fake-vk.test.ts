// vk-typed/testing as its users get it (through its entry, src/testing/index.ts): a
// fake VK started and stopped, typed handlers fed params read back from the form,
// calls recorded with their tokens censored when printed, injectable VK errors and
// faults, and the SDK meeting each of them as it would meet VK.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { API, ApiError, TimeoutError, TransportError, type APIOptions } from '../../src/index.js';
import {
  authError,
  captchaError,
  captchaRedirectError,
  FakeApiError,
  fakeCaptchaSuccessToken,
  RawReply,
  rateLimitError,
  startFakeVk,
  vkError,
  type FakeVk,
} from '../../src/testing/index.js';

const token = 'vk1.a.testing-kit-token-0123456789abcdefghij';

function session(fake: FakeVk, options: APIOptions = {}): API {
  return new API({ accessToken: token, apiBaseUrl: fake.apiBaseUrl, rateLimit: false, maxRetries: 0, ...options });
}

/** Runs `body` with a fake VK and a session of it, both closed after. */
async function withFake(body: (fake: FakeVk, api: API) => Promise<void>, options: APIOptions = {}): Promise<void> {
  await using fake = await startFakeVk({ tokens: [token] });
  const api = session(fake, options);
  try {
    await body(fake, api);
  } finally {
    await api.close();
  }
}

describe('start and stop', () => {
  test('`await using` closes the server at the end of its block, and close() may come first', async () => {
    let url: string;
    {
      await using fake = await startFakeVk();
      url = fake.url;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(fake.apiBaseUrl, `${url}/method`);
      assert.equal((await fetch(`${url}/nothing-here`)).status, 404);
      await fake.close();
    }
    await assert.rejects(fetch(`${url}/nothing-here`), TypeError);
  });
});

describe('typed handlers', () => {
  test("params come decoded by the method's schema; the form as VK got it, and the token, on the call", async () => {
    await withFake(async (fake, api) => {
      const seen: unknown[] = [];
      fake.handle('users.get', (params, call) => {
        seen.push(params, call.form, call.token === token);
        return (params.user_ids ?? []).map((id, n) => ({ id: n + 1, first_name: String(id), last_name: 'Test' }));
      });
      const users = await api.users.get({ user_ids: [1, 'durov'], fields: ['city', 'sex'] });
      assert.deepEqual(
        users.map((user) => user.first_name),
        ['1', 'durov'],
      );
      assert.deepEqual(seen, [
        { user_ids: [1, 'durov'], fields: ['city', 'sex'] },
        { v: '5.199', user_ids: '1,durov', fields: 'city,sex' },
        true,
      ]);
    });
  });

  test('booleans, integers and JSON params read back as the values the caller passed', async () => {
    await withFake(async (fake, api) => {
      const keyboard = { one_time: true, buttons: [[{ action: { type: 'text' as const, label: 'Hi' } }]] };
      fake.handle('messages.send', (params) => {
        assert.deepEqual(
          { peer_id: params.peer_id, random_id: params.random_id, keyboard: params.keyboard },
          { peer_id: 2000000001, random_id: 42, keyboard },
        );
        assert.equal(params.dont_parse_links, true);
        return 1001;
      });
      assert.equal(
        await api.messages.send({ peer_id: 2000000001, random_id: 42, message: 'hi', keyboard, dont_parse_links: true }),
        1001,
      );
    });
  });

  test('a canned reply, a VK error returned or thrown, a raw reply', async () => {
    await withFake(async (fake, api) => {
      fake.handle('utils.getServerTime', 1_700_000_000);
      fake.handle('wall.post', () => vkError(214, { error_msg: 'Access to adding post denied' }));
      fake.handle('likes.add', () => {
        throw new FakeApiError({ error_code: 15, error_msg: 'Access denied', extra_field: 'kept' });
      });
      fake.handle('status.get', new RawReply(200, '{"response":{"text":"raw"}}'));
      assert.equal(await api.utils.getServerTime(), 1_700_000_000);
      const denied = await api.wall.post({ message: 'x' }).catch((error: unknown) => error);
      assert.ok(denied instanceof ApiError);
      assert.equal(denied.code, 214);
      const liked = await api.likes.add({ type: 'post', item_id: 1 }).catch((error: unknown) => error);
      assert.ok(liked instanceof ApiError);
      assert.deepEqual([liked.code, liked.raw['extra_field']], [15, 'kept']);
      assert.deepEqual(await api.status.get({}), { text: 'raw' });
    });
  });

  test('a method without a handler is "Unknown method passed", as VK says of a method it lacks', async () => {
    await withFake(async (_fake, api) => {
      const error = await api.users.get({ user_ids: [1] }).catch((caught: unknown) => caught);
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 3);
    });
  });

  test('a handler that fails answers HTTP 500 naming the failure, never the token', async () => {
    await withFake(async (fake, api) => {
      fake.handle('users.get', (_params, call) => {
        throw new Error(`handler broke on ${call.token}`);
      });
      const error = await api.users.get({ user_ids: [1] }).catch((caught: unknown) => caught);
      assert.ok(error instanceof TransportError);
      const reply = await fetch(`${fake.apiBaseUrl}/users.get`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: token, v: '5.199' }),
      });
      const text = await reply.text();
      assert.equal(reply.status, 500);
      assert.match(text, /fake VK handler failed: handler broke on vk1\.\*\*\*/);
      assert.ok(!text.includes(token));
    });
  });
});

describe('recorded calls', () => {
  test('every call in order, those of a method typed, the batched ones marked', async () => {
    await withFake(
      async (fake, api) => {
        fake.handle('users.get', (params) => [{ id: Number(params.user_ids?.[0]), first_name: 'A', last_name: 'B' }]);
        fake.handle('friends.get', { count: 0, items: [] });
        await Promise.all([api.users.get({ user_ids: [7] }), api.friends.get({ user_id: 7 })]);
        assert.deepEqual(
          fake.calls.map((call) => [call.method, call.batched]),
          [
            ['execute', false],
            ['users.get', true],
            ['friends.get', true],
          ],
        );
        const [usersCall] = fake.callsOf('users.get');
        const ids: readonly (number | string)[] | undefined = usersCall?.params.user_ids;
        assert.deepEqual(ids, [7]);
        assert.equal(fake.callsOf('friends.get')[0]?.params.user_id, 7);
      },
      { batching: true },
    );
  });

  test('printing a call (inspect, JSON) censors its token and secret params; an assertion diff shows no token', async () => {
    await withFake(async (fake, api) => {
      const password = 'old-password-never-printed';
      fake.handle('account.changePassword', { token: 'new.token.from.vk.0123456789abcdef0123' });
      await api.account.changePassword({ old_password: password, new_password: 'new-password-never-printed' });
      const [call] = fake.calls;
      assert.ok(call);
      assert.equal(call.token, token);
      const printed = [inspect(call, { depth: Infinity }), JSON.stringify(fake.calls), inspect(fake.calls)];
      for (const text of printed) {
        for (const secret of [token, password, 'new-password-never-printed']) assert.ok(!text.includes(secret), text);
      }
      assert.match(printed[0]!, /token: 'vk1\.\*\*\*'/);
      const diff = (() => {
        try {
          assert.deepEqual(call, { method: 'something else' });
        } catch (error) {
          return String((error as Error).message);
        }
        return '';
      })();
      // assert's diffs bypass custom inspection: they show the form as it is, but the token is not in it.
      assert.match(diff, /account\.changePassword/);
      assert.ok(!diff.includes(token), diff);
    });
  });
});

describe('VK errors to inject', () => {
  test('vkError(code) carries VK’s own message for the code', () => {
    assert.deepEqual(vkError(9).fields, { error_code: 9, error_msg: 'Flood control' });
    assert.deepEqual(vkError(100_000).fields, { error_code: 100_000, error_msg: 'Unknown error occurred' });
  });

  test('the image captcha: served by the fake, answered with captcha_sid and captcha_key', async () => {
    const asked: (string | undefined)[] = [];
    await withFake(
      async (fake, api) => {
        fake.handle('wall.post', { post_id: 9 });
        fake.inject('wall.post', captchaError({ sid: '777' }));
        assert.deepEqual(await api.wall.post({ message: 'hi' }), { post_id: 9 });
        const image = await fetch(String(asked[0]));
        assert.equal(image.headers.get('content-type'), 'image/png');
        assert.deepEqual([...new Uint8Array(await image.arrayBuffer()).slice(1, 4)], [0x50, 0x4e, 0x47]);
        const resent = fake.callsOf('wall.post')[1];
        assert.deepEqual([resent?.form['captcha_sid'], resent?.form['captcha_key']], ['777', 'the-key']);
      },
      {
        getCaptchaKey: (error) => {
          asked.push(error.captchaImg);
          return 'the-key';
        },
      },
    );
    assert.match(asked[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/captcha\.php\?sid=777&s=1$/);
  });

  test('the newer captcha: its page on the fake gives the success token; remixstlid comes back in full', async () => {
    await withFake(
      async (fake, api) => {
        fake.handle('wall.post', { post_id: 10 });
        fake.inject('wall.post', captchaRedirectError());
        assert.deepEqual(await api.wall.post({ message: 'hi' }), { post_id: 10 });
        const resent = fake.callsOf('wall.post')[1];
        assert.equal(resent?.form['success_token'], fakeCaptchaSuccessToken);
        assert.equal(resent?.form['remixstlid'], '9069780796616521905');
      },
      {
        getCaptchaKey: async (error) => {
          const page = String(error.redirectUri);
          assert.match(page, /^http:\/\/127\.0\.0\.1:\d+\/not_robot_captcha\?/);
          const text = await (await fetch(page)).text();
          return { successToken: /success_token: ([\w-]+)/.exec(text)?.[1] ?? '' };
        },
      },
    );
  });

  test('the rate limit (error 6) is waited out and the call re-sent; a bad token (error 5) is thrown', async () => {
    await withFake(
      async (fake, api) => {
        fake.handle('users.get', [{ id: 1, first_name: 'A', last_name: 'B' }]);
        fake.inject('users.get', rateLimitError(), rateLimitError());
        assert.equal((await api.users.get({ user_ids: [1] }))[0]?.id, 1);
        assert.equal(fake.callsOf('users.get').length, 3);
        fake.inject('*', authError());
        const error = await api.users.get({ user_ids: [1] }).catch((caught: unknown) => caught);
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 5);
        assert.ok(!error.message.includes(token));
        assert.equal(fake.faults.applied.get('error-6'), 2);
        assert.equal(fake.faults.applied.get('error-5'), 1);
        assert.equal(fake.faults.pending, 0);
      },
      { maxRetries: 3, retryDelay: { initial: 1, max: 1 } },
    );
  });
});

describe('faults to inject', () => {
  test('a dropped connection, an HTTP error, a body that is not JSON: transport errors, nothing run', async () => {
    await withFake(async (fake, api) => {
      let runs = 0;
      fake.handle('users.get', () => (runs++, [{ id: 1, first_name: 'A', last_name: 'B' }]));
      fake.inject('users.get', 'reset', { httpStatus: 503 }, 'non-json', 'malformed-json');
      for (const expected of [/socket|closed|terminated/i, /503/, /JSON|json/, /JSON|json/]) {
        const error = await api.users.get({ user_ids: [1] }).catch((caught: unknown) => caught);
        assert.ok(error instanceof TransportError, String(error));
        assert.match(error.message, expected);
      }
      assert.equal(runs, 1, 'only the malformed reply came from the handler');
      assert.deepEqual(Object.fromEntries(fake.faults.applied), {
        reset: 1,
        'http-503': 1,
        'non-json': 1,
        'malformed-json': 1,
      });
    });
  });

  test('what is not a fault is refused when injected, naming it', async () => {
    await using fake = await startFakeVk();
    for (const bad of ['explode', { delayMs: -1 }, { httpStatus: 42 }, {}]) {
      assert.throws(() => fake.inject('users.get', bad as never), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^not a fault: /);
        assert.ok(error.message.includes(typeof bad === 'string' ? bad : JSON.stringify(bad)));
        return true;
      });
    }
    assert.equal(fake.faults.pending, 0);
  });

  test('a delay holds the reply: a session timeout shorter than it gives up', async () => {
    await withFake(
      async (fake, api) => {
        fake.handle('users.get', [{ id: 1, first_name: 'A', last_name: 'B' }]);
        fake.inject('users.get', { delayMs: 1_000 });
        const error = await api.users.get({ user_ids: [1] }).catch((caught: unknown) => caught);
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal((await api.users.get({ user_ids: [1] }))[0]?.id, 1);
      },
      { timeout: 100 },
    );
  });
});
