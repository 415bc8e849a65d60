// loginWithLoopback against a fake id.vk.com: the whole flow with a test's browser
// following the URL to the 127.0.0.1 callback, redirects that do not belong to the
// login, VK's refusal, the timeout and the signal; the server is gone afterwards.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { inspect } from 'node:util';
import { AuthError } from '../../src/index.js';
import { loginWithLoopback, type LoopbackLoginOptions } from '../../src/vkid/loopback.js';
import { mountFakeVkId, printed, SecretSweep, type FakeVkId } from '../fakes/vk-id.js';
import { json, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

let server: FakeVk;
let fake: FakeVkId;
let sweep: SecretSweep;

beforeEach(async () => {
  server = await startFakeVk();
  fake = mountFakeVkId(server);
  sweep = new SecretSweep();
});

afterEach(async () => {
  await server.close();
  assert.deepEqual(sweep.leaks(fake, [server]), []);
});

/** The browser: follows VK ID's redirect to the callback and reads the page it shows. */
async function browse(url: string): Promise<{ status: number; page: string }> {
  const redirect = await fake.consent(url);
  const response = await fetch(redirect);
  return { status: response.status, page: await response.text() };
}

function login(options: Partial<LoopbackLoginOptions>) {
  return loginWithLoopback({ clientId: fake.clientId, idBaseUrl: server.url, ...options });
}

/** Whether anything still listens on the callback's port. */
function listening(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(url, () => resolve(true));
    probe.once('error', () => resolve(false));
    probe.end();
  });
}

test('the whole flow: the URL shown, the redirect on 127.0.0.1/callback, the tokens, the server closed', async () => {
  let shownUrl = '';
  let browser: Promise<{ status: number; page: string }> | undefined;
  const tokens = await login({
    scope: ['email', 'phone'],
    onUrl: (url) => {
      shownUrl = url;
      browser = browse(url);
    },
  });
  assert.ok(fake.accepts(tokens.accessToken));
  assert.equal(tokens.scope, 'email phone');
  const redirectUri = new URL(shownUrl).searchParams.get('redirect_uri')!;
  assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const { status, page } = await browser!;
  assert.equal(status, 200);
  assert.match(page, /logged in with VK ID/);
  assert.equal(await listening(redirectUri), false);
  sweep.show(inspect(tokens, { depth: Infinity }));
});

test('by default the URL is printed on stderr, and no browser is opened', async () => {
  const lines: string[] = [];
  mock.method(process.stderr, 'write', (text: string) => {
    lines.push(text);
    const url = /https?:\/\/\S+/.exec(text)?.[0];
    if (url) void browse(url);
    return true;
  });
  try {
    const tokens = await login({});
    assert.ok(fake.accepts(tokens.accessToken));
  } finally {
    mock.restoreAll();
  }
  assert.match(lines.join(''), /^Open this URL in a browser to log in with VK ID:\nhttp:\/\/127\.0\.0\.1:\d+\/authorize\?/);
});

test('requests that do not belong to the login are answered and ignored; the right redirect still wins', async () => {
  const statusOf = async (url: URL) => (await fetch(url)).status;
  let browsing: Promise<number[]> | undefined;
  const tokens = await login({
    onUrl: (url) => {
      browsing = (async () => {
        const redirect = await fake.consent(url);
        const forged = new URL(redirect);
        forged.searchParams.set('state', 'someone-elses-state');
        return [await statusOf(forged), await statusOf(new URL('/favicon.ico', redirect)), await statusOf(redirect)];
      })();
    },
  });
  assert.ok(fake.accepts(tokens.accessToken));
  assert.deepEqual(await browsing, [400, 404, 200]);
});

test('a browser that goes away during the exchange does not hold the login up', async () => {
  const release = fake.hold();
  let leaving: Promise<void> | undefined;
  const tokens = await login({
    onUrl: (url) => {
      leaving = (async () => {
        const redirect = await fake.consent(url);
        const tab = new AbortController();
        const page = fetch(redirect, { signal: tab.signal }).catch(() => undefined);
        while (!server.requests.some((sent) => sent.path === '/oauth2/auth')) await new Promise((resolve) => setTimeout(resolve, 5));
        tab.abort();
        await page;
        await new Promise((resolve) => setTimeout(resolve, 20));
        release();
      })();
    },
  });
  await leaving;
  assert.ok(fake.accepts(tokens.accessToken));
});

test("the user's refusal is an OAUTH_ERROR with VK's words", async () => {
  fake.deny = true;
  let page: Promise<{ status: number; page: string }> | undefined;
  const error = await login({ onUrl: (url) => void (page = browse(url)) }).catch((reason: unknown) => reason);
  assert.ok(error instanceof AuthError, String(error));
  assert.equal(error.code, 'OAUTH_ERROR');
  assert.equal(error.oauthError, 'access_denied');
  assert.equal(error.errorDescription, 'User denied access');
  assert.equal((await page!).status, 400);
});

test('a failed exchange fails the login and tells the browser so', async () => {
  server.route('/oauth2/auth', () => json({ error: 'invalid_grant', error_description: 'Code is expired' }, 400));
  let page: Promise<{ status: number; page: string }> | undefined;
  const error = await login({ onUrl: (url) => void (page = browse(url)) }).catch((reason: unknown) => reason);
  assert.ok(error instanceof AuthError && error.errorDescription === 'Code is expired', String(error));
  sweep.show(printed(error));
  assert.equal((await page!).status, 502);
});

test('no redirect within waitTimeout: an AuthError, and the server is closed', async () => {
  let redirectUri = '';
  const error = await login({
    waitTimeout: 50,
    onUrl: (url) => void (redirectUri = new URL(url).searchParams.get('redirect_uri')!),
  }).catch((reason: unknown) => reason);
  assert.ok(error instanceof AuthError && error.code === 'TOKEN_MISSING', String(error));
  assert.match(error.message, /no redirect/);
  assert.equal(await listening(redirectUri), false);
});

test('the signal ends the login with its reason; onUrl failing ends it too', async () => {
  const controller = new AbortController();
  let redirectUri = '';
  const waiting = login({
    signal: controller.signal,
    onUrl: (url) => {
      redirectUri = new URL(url).searchParams.get('redirect_uri')!;
      controller.abort(new Error('the user pressed Ctrl+C'));
    },
  });
  await assert.rejects(waiting, /the user pressed Ctrl\+C/);
  assert.equal(await listening(redirectUri), false);
  await assert.rejects(
    login({
      onUrl: () => {
        throw new Error('no terminal to print on');
      },
    }),
    /no terminal to print on/,
  );
  await assert.rejects(login({ signal: AbortSignal.abort(new Error('aborted before')) }), /aborted before/);
  await assert.rejects(login({ port: 70_000 }), RangeError);
});
