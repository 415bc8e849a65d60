// A fake VK ID (id.vk.com) for tests, mounted as more routes on a fake VK server: the
// authorize page (as a user who consents, or refuses), `/oauth2/auth` with PKCE checked
// (the verifier against the challenge of its authorize request), single-use codes
// bound to their device_id and redirect_uri, rotating single-use refresh tokens, and
// logout, revoke, user_info and public_info. A gate on the API answers error 5 to any
// access token it did not issue or that has expired, as VK does.

import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { rejection } from '../support/rejection.js';
import { json, RawReply, type FakeVk, type RecordedRequest } from '../../src/testing/fake-vk.js';

export interface FakeVkIdOptions {
  /** The one app the fake knows (default 51 234 567). */
  clientId?: number;
  /** The user who logs in (default 1001). */
  userId?: number;
  /** `expires_in` of access tokens, in seconds (default 3600). */
  accessTokenLifetime?: number;
}

/** One login: a code's tokens and every refresh of them. Logout and revoke end it. */
interface Grant {
  readonly userId: number;
  readonly deviceId: string;
  readonly scope: string;
  active: boolean;
}

interface AuthorizeRequest {
  readonly challenge: string;
  readonly redirectUri: string;
  readonly deviceId: string;
  readonly scope: string;
  used: boolean;
}

interface AccessToken {
  readonly grant: Grant;
  readonly expiresAt: number;
  valid: boolean;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly deviceId: string;
  readonly expiresAt: number;
}

export interface FakeVkId {
  readonly clientId: number;
  readonly userId: number;
  /** The authorize page answers as if the user pressed "Deny". */
  deny: boolean;
  /** `/oauth2/auth` refuses every refresh token (as after a revoke elsewhere). */
  refuseRefreshes: boolean;
  /** Every secret the fake issued or was sent (codes, verifiers, device ids, access,
   * refresh and ID tokens): none may show in an error, a log, a printout or a URL. */
  secrets(): string[];
  /** The browser's part: GETs the authorize URL as the user and returns where VK ID
   * redirects to (the redirect URL with `code`, `state`, `device_id`, or `error`). */
  consent(authorizeUrl: string): Promise<URL>;
  /** Tokens as after a login, without the browser (for session tests). */
  issueTokens(): IssuedTokens;
  /** From now on the API answers error 5 to this access token, as to an expired one. */
  expire(accessToken: string): void;
  /** Whether the API accepts this access token now. */
  accepts(accessToken: string): boolean;
  /** `grant_type=refresh_token` requests answered with tokens, so far. */
  readonly refreshCount: number;
  /** Holds `/oauth2/auth` replies until the returned function is called. */
  hold(): () => void;
}

const secretNamesInQuery = ['code', 'code_verifier', 'refresh_token', 'access_token', 'id_token', 'device_id'];

/**
 * Mounts VK ID on `server` (paths `/authorize`, `/oauth2/*`, so `idBaseUrl` is
 * `server.url`); `api` (default: the same server) gets the gate for access tokens.
 */
export function mountFakeVkId(server: FakeVk, options: FakeVkIdOptions = {}, api: FakeVk = server): FakeVkId {
  const clientId = options.clientId ?? 51_234_567;
  const userId = options.userId ?? 1001;
  const lifetime = options.accessTokenLifetime ?? 3600;
  const secrets = new Set<string>();
  const codes = new Map<string, AuthorizeRequest>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, { grant: Grant; spent: boolean }>();
  const idTokens = new Map<string, Grant>();
  let refreshCount = 0;
  let holding: Promise<void> | undefined;

  const random = (prefix: string): string => {
    const value = `${prefix}${randomBytes(30).toString('base64url')}`;
    secrets.add(value);
    return value;
  };
  const issue = (grant: Grant) => {
    const accessToken = random('vk2.a.');
    const refreshToken = random('vk2.r.');
    const idToken = [
      Buffer.from('{"alg":"RS256"}').toString('base64url'),
      Buffer.from(JSON.stringify({ sub: grant.userId, iss: 'fake-vk-id' })).toString('base64url'),
      random(''),
    ].join('.');
    secrets.add(idToken);
    accessTokens.set(accessToken, { grant, expiresAt: Date.now() + lifetime * 1000, valid: true });
    refreshTokens.set(refreshToken, { grant, spent: false });
    idTokens.set(idToken, grant);
    return { accessToken, refreshToken, idToken };
  };
  const liveToken = (token: string | undefined): AccessToken | undefined => {
    const found = token === undefined ? undefined : accessTokens.get(token);
    return found?.valid && found.grant.active && Date.now() < found.expiresAt ? found : undefined;
  };
  /** VK ID's error reply. */
  const refusal = (error: string, description: string, state?: string, status = 400): RawReply =>
    json({ error, error_description: description, ...(state === undefined ? {} : { state }) }, status);

  /** Checks every `/oauth2/*` request makes: a form body, nothing secret in the URL, this app. */
  const formProblem = (request: RecordedRequest): RawReply | undefined => {
    if (request.httpMethod !== 'POST') return refusal('invalid_request', 'POST expected', undefined, 405);
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return refusal('invalid_request', 'a form-encoded body expected');
    }
    const inQuery = secretNamesInQuery.filter((name) => name in request.query);
    if (inQuery.length > 0) return refusal('invalid_request', `secret params in the URL: ${inQuery.join(', ')}`);
    if (request.body['client_id'] !== String(clientId)) return refusal('invalid_client', 'client_id is invalid');
    return undefined;
  };

  server.route('/authorize', (request) => {
    const query = request.query;
    const problem =
      request.httpMethod !== 'GET'
        ? 'GET expected'
        : query['response_type'] !== 'code'
          ? 'response_type must be code'
          : query['client_id'] !== String(clientId)
            ? 'client_id is invalid'
            : !query['redirect_uri'] || !URL.canParse(query['redirect_uri'])
              ? 'redirect_uri is invalid'
              : !query['state']
                ? 'state is required'
                : !/^[A-Za-z0-9_-]{43}$/.test(query['code_challenge'] ?? '')
                  ? 'code_challenge must be a base64url SHA-256 without padding'
                  : query['code_challenge_method'] !== 's256'
                    ? 'code_challenge_method must be s256'
                    : 'code_verifier' in query
                      ? 'the code_verifier must never be sent to /authorize'
                      : query['scope'] !== undefined && !/^[a-z_.]+( [a-z_.]+)*$/.test(query['scope'])
                        ? 'scope must be names separated by single spaces'
                        : undefined;
    if (problem !== undefined) return refusal('invalid_request', problem);
    const redirect = new URL(query['redirect_uri']!);
    redirect.searchParams.set('state', query['state']!);
    if (fake.deny) {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'User denied access');
    } else {
      const code = random('vk2.c.');
      const deviceId = random('dev-');
      codes.set(code, {
        challenge: query['code_challenge']!,
        redirectUri: query['redirect_uri']!,
        deviceId,
        scope: query['scope'] ?? 'vkid.personal_info',
        used: false,
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('device_id', deviceId);
      redirect.searchParams.set('type', 'code_v2');
      redirect.searchParams.set('expires_in', '600');
    }
    return new RawReply(302, '', { location: redirect.href });
  });

  server.route('/oauth2/auth', async (request) => {
    await holding;
    const problem = formProblem(request);
    if (problem) return problem;
    const body = request.body;
    const state = body['state'];
    if (!state) return refusal('invalid_request', 'state is required');
    if (body['device_id']) secrets.add(body['device_id']);
    let grant: Grant;
    if (body['grant_type'] === 'authorization_code') {
      const code = body['code'] ?? '';
      const verifier = body['code_verifier'] ?? '';
      if (verifier) secrets.add(verifier);
      const authorized = codes.get(code);
      if (authorized === undefined) return refusal('invalid_grant', 'Code is invalid or expired', state);
      if (authorized.used) return refusal('invalid_grant', 'Code has already been used', state);
      authorized.used = true;
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== authorized.challenge) return refusal('invalid_grant', 'Invalid code verifier', state);
      if (body['device_id'] !== authorized.deviceId) return refusal('invalid_grant', 'Invalid device_id', state);
      if (body['redirect_uri'] !== authorized.redirectUri) return refusal('invalid_grant', 'Invalid redirect_uri', state);
      grant = { userId, deviceId: authorized.deviceId, scope: authorized.scope, active: true };
    } else if (body['grant_type'] === 'refresh_token') {
      const held = refreshTokens.get(body['refresh_token'] ?? '');
      if (fake.refuseRefreshes || held === undefined || !held.grant.active) {
        return refusal('invalid_grant', 'Refresh token is invalid or expired', state);
      }
      if (held.spent) return refusal('invalid_grant', 'Refresh token has already been used', state);
      if (body['device_id'] !== held.grant.deviceId) return refusal('invalid_grant', 'Invalid device_id', state);
      held.spent = true;
      grant = held.grant;
      refreshCount += 1;
    } else {
      return refusal('unsupported_grant_type', 'grant_type is not supported', state);
    }
    const tokens = issue(grant);
    return json({
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      id_token: tokens.idToken,
      token_type: 'Bearer',
      expires_in: lifetime,
      user_id: grant.userId,
      state,
      scope: grant.scope,
    });
  });

  /** logout, revoke and user_info: a live access token in the body, or VK's refusal. */
  const withAccessToken =
    (answer: (token: AccessToken) => unknown) =>
    (request: RecordedRequest): RawReply => {
      const problem = formProblem(request);
      if (problem) return problem;
      const token = liveToken(request.body['access_token']);
      if (token === undefined) return refusal('invalid_token', 'Access token is invalid or expired', undefined, 401);
      return json(answer(token));
    };
  server.route(
    '/oauth2/logout',
    withAccessToken((token) => {
      token.grant.active = false;
      return { response: 1 };
    }),
  );
  server.route(
    '/oauth2/revoke',
    withAccessToken((token) => {
      for (const other of accessTokens.values()) if (other.grant.userId === token.grant.userId) other.grant.active = false;
      return { response: 1 };
    }),
  );
  const user = {
    user_id: String(userId),
    first_name: 'Ivan',
    last_name: 'Ivanov',
    avatar: 'https://example.com/avatar.jpg',
    email: 'ivan@example.com',
    phone: '79990001122',
    sex: 2,
    verified: false,
  };
  server.route(
    '/oauth2/user_info',
    withAccessToken(() => ({ user })),
  );
  server.route('/oauth2/public_info', (request) => {
    const problem = formProblem(request);
    if (problem) return problem;
    if (!idTokens.has(request.body['id_token'] ?? '')) return refusal('invalid_token', 'ID token is invalid');
    return json({ user: { ...user, last_name: 'I', email: 'iv***@example.com', phone: '+7 *** *** ** 22' } });
  });

  api.gate(async (request, method, next) => {
    if (liveToken(request.params['access_token'])) return next();
    const known = accessTokens.has(request.params['access_token'] ?? '');
    return json({
      error: {
        error_code: 5,
        error_msg: `User authorization failed: ${known ? 'access_token has expired' : 'invalid access_token (4)'}.`,
        request_params: [
          { key: 'method', value: method },
          { key: 'oauth', value: '1' },
        ],
      },
    });
  });

  const fake: FakeVkId = {
    clientId,
    userId,
    deny: false,
    refuseRefreshes: false,
    secrets: () => [...secrets],
    async consent(authorizeUrl) {
      const response = await fetch(authorizeUrl, { redirect: 'manual' });
      await response.arrayBuffer();
      const location = response.headers.get('location');
      if (response.status !== 302 || location === null) {
        throw new Error(`the authorize page refused: HTTP ${response.status}`);
      }
      return new URL(location);
    },
    issueTokens() {
      const grant = { userId, deviceId: random('dev-'), scope: 'vkid.personal_info', active: true };
      const { accessToken, refreshToken } = issue(grant);
      return { accessToken, refreshToken, deviceId: grant.deviceId, expiresAt: Date.now() + lifetime * 1000 };
    },
    expire(accessToken) {
      const token = accessTokens.get(accessToken);
      if (token === undefined) throw new Error('the fake did not issue this access token');
      token.valid = false;
    },
    accepts: (accessToken) => liveToken(accessToken) !== undefined,
    get refreshCount() {
      return refreshCount;
    },
    hold() {
      let release!: () => void;
      holding = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        holding = undefined;
        release();
      };
    },
  };
  return fake;
}

/** What a user may print of `value`: an error's message and stack, `util.inspect`
 * (hidden fields too, at any depth) and `JSON.stringify` (which, for token data meant
 * to be stored, shows the tokens: give those to `inspect` alone). */
export function printed(value: unknown): string {
  const error = value instanceof Error ? [value.message, String(value.stack)] : [];
  return [
    ...error,
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    JSON.stringify(value) ?? '',
  ].join('\n');
}

/** What a test printed and caught, swept at its end for the fake's secrets, together
 * with the URL of every request the fake servers received. */
export class SecretSweep {
  readonly #texts: string[] = [];

  /** Adds what a user could see (printouts, log lines). */
  show(...texts: string[]): void {
    this.#texts.push(...texts);
  }

  /** The error `promise` rejects with (failing the test if it resolves), kept for the sweep. */
  async failure(promise: Promise<unknown>): Promise<unknown> {
    const error = await rejection(promise);
    this.#texts.push(printed(error));
    return error;
  }

  /** The secrets of `fake` found; none, in a test that passes. */
  leaks(fake: FakeVkId, servers: readonly FakeVk[]): string[] {
    const texts = [...this.#texts, ...servers.flatMap((server) => server.requests.map((request) => request.url))];
    return fake.secrets().filter((secret) => texts.some((text) => text.includes(secret)));
  }
}
