// `VKID`: an app's client of VK ID (id.vk.com), OAuth 2.1 with PKCE. It builds the
// authorize URL with a fresh verifier and state each time, keeps the states it issued
// until their redirect comes back (a redirect with any other state is refused before
// its code goes anywhere), and speaks VK ID's `/oauth2/*` methods.

import type { InspectOptions } from 'node:util';
import { timingSafeEqual } from 'node:crypto';
import { AuthError } from '../auth/auth-error.js';
import type { HttpDispatcher } from '../http/dispatcher.js';
import { Transport } from '../http/transport.js';
import { VKIDEndpoints, type CodeExchange, type VKIDRequestOptions, type VKIDUser } from './id-endpoints.js';
import { PendingStates } from './pending-states.js';
import { checkCodeVerifier, createPkcePair, createState } from './pkce.js';
import { defaultVKIDScope, vkidScopeParam, type VKIDScope } from './scope.js';
import { printedCensored, type VKIDTokens } from './tokens.js';

export interface VKIDOptions {
  /** The app's id in VK ID's console (id.vk.com/business/go). */
  clientId: number;
  /** One of the app's trusted redirect URLs: the user's browser comes back there with
   * `code`, `state` and `device_id`. */
  redirectUri: string;
  /** Access asked for when `authorizationUrl()` is not given a scope:
   * `'email phone'` or `['email', 'phone']`. Default `vkid.personal_info`. */
  scope?: VKIDScope;
  /** Default `https://id.vk.com`. */
  idBaseUrl?: string;
  /** Milliseconds per request (default 10 000). */
  timeout?: number;
  /** An HTTP(S) proxy URL for the requests of this `VKID` (a session's refreshes go
   * through the session's own proxy or dispatcher). */
  proxy?: string;
  /** Your own undici `Dispatcher` for the requests of this `VKID`. */
  dispatcher?: HttpDispatcher;
}

/** How VK ID's authorize page behaves (its `prompt`). */
export type VKIDPrompt = 'none' | 'login' | 'consent' | 'select_account';

export interface AuthorizationUrlOptions {
  /** Access to ask for; default: the `VKID`'s scope. */
  scope?: VKIDScope;
  /** The state to send (default: 32 random characters). It must come back with the
   * redirect; one already waiting for its redirect is refused. */
  state?: string;
  /** `'login'` asks for the password even when the user is logged in; `'consent'`
   * shows the access form again; several are sent space-separated. */
  prompt?: VKIDPrompt | readonly VKIDPrompt[];
  /** Where the user logs in: `'vkid'` (default), `'ok_ru'`, `'mail_ru'`. */
  provider?: 'vkid' | 'ok_ru' | 'mail_ru' | (string & {});
  /** VK's language id of the page: 0 Russian, 1 Ukrainian, 3 English, 4 Spanish, 6 German, 15 Polish, 16 French, 82 Turkish. */
  langId?: number;
  /** The page's colours. */
  scheme?: 'light' | 'dark' | (string & {});
}

/** An authorize URL and what the redirect it leads to must be matched with. */
export interface AuthorizationRequest {
  /** Send the user's browser here. It carries the verifier's challenge, never the verifier. */
  readonly url: string;
  /** Comes back with the redirect. */
  readonly state: string;
  /** Keep it (server-side) for `exchangeCode()`; a secret. */
  readonly codeVerifier: string;
}

export interface ExchangeCodeParams extends CodeExchange {
  /** The state your app stored beside the verifier, for logins where the redirect may
   * reach another process than the one that made the URL: the redirect's `state` must
   * equal it. Left out, `state` must be one this `VKID` issued and has not seen back. */
  readonly expectedState?: string;
}

export interface VKIDRefreshParams {
  readonly refreshToken: string;
  /** The `deviceId` the tokens came with. */
  readonly deviceId: string;
  /** Less access than was granted, for the new tokens; default: as granted. */
  readonly scope?: VKIDScope;
}

const defaultIdBaseUrl = 'https://id.vk.com';
const defaultTimeout = 10_000;

/** Set in the class's static block, the one place that may read a `VKID`'s endpoints. */
let readEndpoints: (vkid: VKID) => VKIDEndpoints;

/** @internal VK ID's methods for `vkid`'s app, over a transport of the caller's
 * choosing (a session refreshes over its own). Kept out of the published types. */
export function vkidEndpoints(vkid: VKID): VKIDEndpoints {
  return readEndpoints(vkid);
}

/**
 * An app's client of VK ID: `authorizationUrl()` for the browser, then
 * `exchangeCode()` with what the redirect brought; `refresh()`, `logout()`,
 * `revoke()`, `userInfo()` and `publicInfo()` for the tokens. Hand it to a
 * `VKIDUserAPI` for a session that renews its own tokens.
 */
export class VKID {
  readonly clientId: number;
  readonly redirectUri: string;
  readonly idBaseUrl: string;
  /** The default `scope` param; `undefined` when an empty scope leaves it to VK. */
  readonly #scope: string | undefined;
  readonly #endpoints: VKIDEndpoints;
  readonly #transport: Transport;
  readonly #pending = new PendingStates();

  static {
    readEndpoints = (vkid) => vkid.#endpoints;
  }

  constructor(options: VKIDOptions) {
    this.clientId = options.clientId;
    if (!(Number.isSafeInteger(this.clientId) && this.clientId > 0)) {
      throw new RangeError(`clientId must be a positive integer, got ${String(this.clientId)}`);
    }
    this.redirectUri = absoluteUrl('redirectUri', options.redirectUri).href;
    const base = absoluteUrl('idBaseUrl', options.idBaseUrl ?? defaultIdBaseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new TypeError('idBaseUrl must be an http(s) URL');
    this.idBaseUrl = base.href.replace(/\/+$/, '');
    this.#scope = vkidScopeParam(options.scope ?? defaultVKIDScope);
    this.#endpoints = new VKIDEndpoints(this.idBaseUrl, this.clientId, this.redirectUri);
    this.#transport = new Transport({
      timeout: options.timeout ?? defaultTimeout,
      proxy: options.proxy,
      dispatcher: options.dispatcher,
    });
  }

  /**
   * The URL of VK ID's authorize page with a new PKCE pair and state: `state` and
   * `codeVerifier` are new on every call. Keep the verifier for `exchangeCode()`;
   * only its challenge (base64url SHA-256, method `s256`) is in the URL.
   */
  authorizationUrl(options: AuthorizationUrlOptions = {}): AuthorizationRequest {
    const state = options.state ?? createState();
    if (typeof state !== 'string' || state === '') throw new TypeError('state must be a non-empty string');
    const scope = options.scope === undefined ? this.#scope : vkidScopeParam(options.scope);
    const prompt = options.prompt === undefined ? undefined : [options.prompt].flat().join(' ');
    if (options.langId !== undefined && !(Number.isSafeInteger(options.langId) && options.langId >= 0)) {
      throw new RangeError(`langId must be a non-negative integer, got ${options.langId}`);
    }
    const { codeVerifier, codeChallenge } = createPkcePair();
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: String(this.clientId),
      redirect_uri: this.redirectUri,
      state,
      code_challenge: codeChallenge,
      // Lower case, as VK's own clients send it.
      code_challenge_method: 's256',
    });
    const optional = { scope, prompt, provider: options.provider, lang_id: options.langId?.toString(), scheme: options.scheme };
    for (const [key, value] of Object.entries(optional)) if (value) params.set(key, value);
    // Last, once the options are known to be good: a refused call leaves no state waiting.
    this.#pending.issue(state);
    // URLSearchParams writes spaces as `+`; `%20` reads the same everywhere.
    const url = `${this.idBaseUrl}/authorize?${params.toString().replace(/\+/g, '%20')}`;
    return printedCensored({ url, state, codeVerifier }, 'AuthorizationRequest');
  }

  /**
   * Exchanges the redirect's `code` (with its `device_id` and `state`) and the
   * verifier of the URL for tokens. A `state` this `VKID` did not issue (or has seen
   * back already) is refused before anything is sent, as is a malformed verifier. VK's
   * refusals are an `AuthError` with code `OAUTH_ERROR`, `oauthError` (`invalid_grant`,
   * ...) and VK's `errorDescription` as it wrote it.
   */
  async exchangeCode(params: ExchangeCodeParams, options: VKIDRequestOptions = {}): Promise<VKIDTokens> {
    const code = requiredString('code', params.code);
    const deviceId = requiredString('deviceId', params.deviceId);
    const state = requiredString('state', params.state);
    const codeVerifier = checkCodeVerifier(params.codeVerifier);
    const expected = params.expectedState === undefined ? undefined : requiredString('expectedState', params.expectedState);
    // Taken only by a redirect that matches: a wrong one does not spend the login's state.
    if (expected === undefined ? !this.#pending.take(state) : !sameText(state, expected)) {
      throw new AuthError(
        'STATE_MISMATCH',
        'authorize page',
        "the redirect's state does not match a login this VKID started (a forged or replayed redirect, a login " +
          'older than 30 minutes, or one started by another process: pass expectedState); nothing was sent',
      );
    }
    // The app's own record matched; a state issued here too is waiting no more.
    if (expected !== undefined) this.#pending.take(state);
    return this.#endpoints.exchange(this.#transport, { code, deviceId, state, codeVerifier }, options);
  }

  /** New tokens for a refresh token. The refresh token is then spent: store the new one. */
  refresh(params: VKIDRefreshParams, options: VKIDRequestOptions = {}): Promise<VKIDTokens> {
    const refreshToken = requiredString('refreshToken', params.refreshToken);
    const deviceId = requiredString('deviceId', params.deviceId);
    const scope = params.scope === undefined ? undefined : vkidScopeParam(params.scope);
    return this.#endpoints.refresh(this.#transport, { refreshToken, deviceId, scope }, options);
  }

  /** Ends the login the access token belongs to (`/oauth2/logout`). */
  logout(params: { readonly accessToken: string }, options: VKIDRequestOptions = {}): Promise<void> {
    return this.#endpoints.logout(this.#transport, requiredString('accessToken', params.accessToken), options);
  }

  /** Withdraws the access the user gave the app (`/oauth2/revoke`). */
  revoke(params: { readonly accessToken: string }, options: VKIDRequestOptions = {}): Promise<void> {
    return this.#endpoints.revoke(this.#transport, requiredString('accessToken', params.accessToken), options);
  }

  /** The user, as far as the token's scope shows them (`/oauth2/user_info`). */
  userInfo(params: { readonly accessToken: string }, options: VKIDRequestOptions = {}): Promise<VKIDUser> {
    return this.#endpoints.userInfo(this.#transport, requiredString('accessToken', params.accessToken), options);
  }

  /** The user's masked public data, by the ID token of an exchange (`/oauth2/public_info`). */
  publicInfo(params: { readonly idToken: string }, options: VKIDRequestOptions = {}): Promise<VKIDUser> {
    return this.#endpoints.publicInfo(this.#transport, requiredString('idToken', params.idToken), options);
  }

  /** Closes this `VKID`'s connections (a user's dispatcher stays open). */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId, redirectUri: this.redirectUri, idBaseUrl: this.idBaseUrl, scope: this.#scope };
  }

  /** @internal `util.inspect.custom`; kept out of the published types. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: InspectOptions,
    inspect: (value: unknown, options: InspectOptions) => string,
  ): string {
    return `VKID ${inspect(this.toJSON(), options)}`;
  }
}

function absoluteUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`${name} must be an absolute URL`);
  return new URL(value);
}

/** A param that must be a non-empty string; the message names it, never its value. */
function requiredString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/** Compares in time that does not depend on where the texts differ. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
