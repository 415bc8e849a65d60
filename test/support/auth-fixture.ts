// Shared by the auth tests: a fake VK (API + OAuth pages) per test, sessions pointed
// at it, and the secrets check every flow ends with: no password, code, captcha key
// or token in any error (message, fields, cause, stack) or anything logged.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock } from 'node:test';
import { inspect } from 'node:util';
import {
  defaultConfig,
  mountFakeOAuth,
  type FakeAccount,
  type FakeOAuth,
  type FakeOAuthConfig,
} from '../../src/testing/oauth.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

export const alice: FakeAccount = {
  login: '+79990001122',
  password: 'correct horse battery staple',
  userId: 1001,
};
export const bob: FakeAccount = {
  login: 'bob@example.com',
  password: 'Tr0ub4dor&3-bob',
  userId: 1002,
  authCode: '314159',
  groups: [123, 456],
};
/** Wrong answers the tests type, secret all the same. */
export const wrongPassword = 'not-the-password-at-all';
export const wrongCode = '271828';
export const wrongCaptchaKey = 'wrongkey';

export interface Fixture {
  readonly server: FakeVk;
  readonly oauth: FakeOAuth;
  /** The session options that point every URL at the fake. */
  readonly urls: { apiBaseUrl: string; oauthBaseUrl: string; mobileBaseUrl: string };
  /** Paths of the requests received, query included, in order. */
  paths(): string[];
}

interface Closable {
  close(): Promise<void>;
}

interface TestState {
  fixtures: Fixture[];
  sessions: Closable[];
  errors: unknown[];
  logged: unknown[][];
  /** Secrets a test brings itself (tokens it passes, answers it gives). */
  extraSecrets: string[];
}

let state: TestState = { fixtures: [], sessions: [], errors: [], logged: [], extraSecrets: [] };

/** Wires the per-test fake servers, sessions, and the secrets check into the calling test file. */
export function useAuthFixtures(): void {
  beforeEach(() => {
    state = { fixtures: [], sessions: [], errors: [], logged: [], extraSecrets: [] };
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      mock.method(console, method, (...args: unknown[]) => state.logged.push(args));
    }
  });
  afterEach(async () => {
    mock.restoreAll();
    await Promise.all(state.sessions.map((session) => session.close()));
    await Promise.all(state.fixtures.map((fixture) => fixture.server.close()));
    const secrets = knownSecrets();
    const texts = [
      ...state.errors.map((error) => inspect(error, { depth: Infinity })),
      ...state.logged.map((args) => inspect(args)),
    ];
    for (const text of texts) {
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 3)}...) leaked into:\n${text}`);
    }
  });
}

function knownSecrets(): string[] {
  const tokens = state.fixtures.flatMap((fixture) => [...fixture.oauth.issued.keys()]);
  const accounts = state.fixtures.flatMap((fixture) => fixture.oauth.config.accounts);
  const answers = state.fixtures.map((fixture) => fixture.oauth.config.captchaKey);
  return [
    ...tokens,
    ...accounts.flatMap((account) => [account.password, ...(account.authCode ? [account.authCode] : [])]),
    ...answers,
    wrongPassword,
    wrongCode,
    wrongCaptchaKey,
    'hHbZxrka2uZ6jB1inYsH',
    ...state.extraSecrets,
  ];
}

/** Adds values the secrets check of this test must not find anywhere. */
export function secret<V extends string>(value: V): V {
  state.extraSecrets.push(value);
  return value;
}

/** A fake VK with OAuth pages for `accounts`; `configure` adjusts the default behaviour. */
export async function fakeVk(
  accounts: FakeAccount[] = [alice, bob],
  configure: Partial<FakeOAuthConfig> = {},
): Promise<Fixture> {
  const server = await startFakeVk();
  const oauth = mountFakeOAuth(server, { ...defaultConfig(accounts), ...configure });
  server.reply('users.get', (params, request) => [
    { id: oauth.issued.get(request.params['access_token'] ?? '')?.userId ?? 0, first_name: 'Test' },
  ]);
  server.reply('utils.getServerTime', 1_700_000_000);
  const fixture: Fixture = {
    server,
    oauth,
    urls: { apiBaseUrl: server.apiBaseUrl, oauthBaseUrl: `${server.url}/oauth`, mobileBaseUrl: `${server.url}/m` },
    paths: () => server.requests.map((request) => new URL(request.url).pathname + new URL(request.url).search),
  };
  state.fixtures.push(fixture);
  return fixture;
}

/** Registers a session to be closed after the test. */
export function track<S extends Closable>(session: S): S {
  state.sessions.push(session);
  return session;
}

/** The error `promise` rejects with (recorded for the secrets check). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    state.errors.push(error);
    return error;
  }
  assert.fail('expected a rejection');
}

/** The API requests (paths under /method/) the fake received, with the token each carried. */
export function apiCalls(
  fixture: Fixture,
): { method: string; token: string | undefined; params: Readonly<Record<string, string>> }[] {
  return fixture.server.requests
    .filter((request) => request.path.startsWith('/method/'))
    .map((request) => ({
      method: request.path.slice('/method/'.length),
      token: request.body['access_token'],
      params: request.body,
    }));
}

/** `method` answers with each of `replies` in turn (a FakeApiError or a value), then the last one forever. */
export function replySequence(fixture: Fixture, method: string, replies: unknown[]): void {
  let index = 0;
  fixture.server.reply(method, () => replies[Math.min(index++, replies.length - 1)]);
}

/** The requests `method` received, in order. */
export const sent = (fixture: Fixture, method: string) =>
  fixture.server.requests.filter((request) => request.path === `/method/${method}`);
