// VK ID's back-channel methods (`POST <id>/oauth2/*`): form-encoded, every param in
// the body (secrets never in a URL), over whichever transport the caller runs on (a
// `VKID`'s own, or a session's, so that its proxy and dispatcher carry the refresh).

import { AuthError, type AuthStep } from '../auth/auth-error.js';
import type { Transport } from '../http/transport.js';
import { createState } from './pkce.js';
import { tokensFromReply, type VKIDTokens } from './tokens.js';

/** The code and what came with it on the redirect, and the verifier it was asked with. */
export interface CodeExchange {
  readonly code: string;
  readonly deviceId: string;
  readonly state: string;
  readonly codeVerifier: string;
}

export interface RefreshParams {
  readonly refreshToken: string;
  readonly deviceId: string;
  /** Narrows the access of the new tokens (space-separated); default: as granted. */
  readonly scope?: string | undefined;
}

/** The user as `/oauth2/user_info` and `/oauth2/public_info` describe them (VK's field
 * names). `public_info` masks: the last name's first letter, a masked phone and email. */
export interface VKIDUser {
  readonly user_id: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly avatar?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly sex?: number;
  readonly verified?: boolean;
  readonly birthday?: string;
  readonly [field: string]: unknown;
}

/** Options of one request to VK ID. */
export interface VKIDRequestOptions {
  /** Aborts the request; it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** VK ID's methods for one app: the transport is each call's, the app's settings are these. */
export class VKIDEndpoints {
  constructor(
    /** `https://id.vk.com`, without a trailing slash. */
    readonly idBaseUrl: string,
    readonly clientId: number,
    readonly redirectUri: string,
  ) {}

  /** `grant_type=authorization_code`: the redirect's code for tokens. */
  async exchange(transport: Transport, params: CodeExchange, options: VKIDRequestOptions = {}): Promise<VKIDTokens> {
    const { code, deviceId, state, codeVerifier } = params;
    const form = this.#form({
      grant_type: 'authorization_code',
      code,
      code_verifier: codeVerifier,
      device_id: deviceId,
      redirect_uri: this.redirectUri,
      state,
    });
    return this.#tokens(transport, form, { ...options, state, deviceId, secrets: [code, codeVerifier, deviceId] });
  }

  /** `grant_type=refresh_token`: new tokens (a new refresh token among them) for the refresh token. */
  async refresh(transport: Transport, params: RefreshParams, options: VKIDRequestOptions = {}): Promise<VKIDTokens> {
    const { refreshToken, deviceId, scope } = params;
    const state = createState();
    const form = this.#form({ grant_type: 'refresh_token', refresh_token: refreshToken, device_id: deviceId, state, scope });
    return this.#tokens(transport, form, { ...options, state, deviceId, secrets: [refreshToken, deviceId] });
  }

  /** `/oauth2/logout`: ends the session of the access token. */
  async logout(transport: Transport, accessToken: string, options: VKIDRequestOptions = {}): Promise<void> {
    await this.#post(transport, 'logout', this.#form({ access_token: accessToken }), 'call', [accessToken], options);
  }

  /** `/oauth2/revoke`: withdraws the access the user gave the app. */
  async revoke(transport: Transport, accessToken: string, options: VKIDRequestOptions = {}): Promise<void> {
    await this.#post(transport, 'revoke', this.#form({ access_token: accessToken }), 'call', [accessToken], options);
  }

  /** `/oauth2/user_info`: the user, as far as the access token's scope shows them. */
  async userInfo(transport: Transport, accessToken: string, options: VKIDRequestOptions = {}): Promise<VKIDUser> {
    const reply = await this.#post(transport, 'user_info', this.#form({ access_token: accessToken }), 'call', [accessToken], options);
    return userOf(reply, 'user_info', [accessToken]);
  }

  /** `/oauth2/public_info`: the user's masked public data, by the ID token. */
  async publicInfo(transport: Transport, idToken: string, options: VKIDRequestOptions = {}): Promise<VKIDUser> {
    const reply = await this.#post(transport, 'public_info', this.#form({ id_token: idToken }), 'call', [idToken], options);
    return userOf(reply, 'public_info', [idToken]);
  }

  async #tokens(
    transport: Transport,
    form: URLSearchParams,
    sent: VKIDRequestOptions & { state: string; deviceId: string; secrets: string[] },
  ): Promise<VKIDTokens> {
    const reply = await this.#post(transport, 'auth', form, 'token', sent.secrets, sent);
    // VK echoes the state; a reply with another one answers some other request.
    if (reply['state'] !== undefined && reply['state'] !== sent.state) {
      throw new AuthError('STATE_MISMATCH', 'token', "VK ID's reply carries another state than the request", {}, sent.secrets);
    }
    return tokensFromReply(reply, sent.deviceId, Date.now(), sent.secrets, 'token');
  }

  /** The form of every method: `client_id` first, then the method's params (`undefined` left out). */
  #form(params: Readonly<Record<string, string | undefined>>): URLSearchParams {
    const form = new URLSearchParams({ client_id: String(this.clientId) });
    for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, value);
    return form;
  }

  /** POSTs to `/oauth2/<method>`; VK's `{error, error_description}` becomes an OAUTH_ERROR. */
  async #post(
    transport: Transport,
    method: string,
    form: URLSearchParams,
    step: AuthStep,
    secrets: readonly string[],
    options: VKIDRequestOptions,
  ): Promise<Record<string, unknown>> {
    const reply = await transport.postForm(`${this.idBaseUrl}/oauth2/${method}`, form, { signal: options.signal, secrets });
    if (!isRecord(reply)) {
      throw new AuthError('UNEXPECTED_RESPONSE', step, `VK ID's reply to /oauth2/${method} is not a JSON object`, {}, secrets);
    }
    const error = reply['error'];
    if (error !== undefined) {
      const oauthError = typeof error === 'string' ? error : JSON.stringify(error);
      const description = typeof reply['error_description'] === 'string' ? reply['error_description'] : undefined;
      throw new AuthError(
        'OAUTH_ERROR',
        step,
        `/oauth2/${method}: ${description ?? oauthError}`,
        { oauthError, errorDescription: description, raw: reply },
        secrets,
      );
    }
    return reply;
  }
}

function userOf(reply: Record<string, unknown>, method: string, secrets: readonly string[]): VKIDUser {
  const user = reply['user'];
  if (!isRecord(user)) {
    throw new AuthError('UNEXPECTED_RESPONSE', 'call', `VK ID's reply to /oauth2/${method} has no user`, {}, secrets);
  }
  // VK writes the id as a string here (unlike the token reply's number).
  return { ...user, user_id: String(user['user_id']) } as VKIDUser;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
