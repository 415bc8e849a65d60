// VKIDUserAPI: a user session on VK ID tokens that keeps itself logged in. It sends
// the access token, renews it shortly before it expires and when VK answers error 5
// (once for every call that went out with it), re-sends each failed call once with the
// new token, and hands the rotated tokens to `onTokens` for the app to store.

import { ApiErrorCode } from '../../generated/errors.js';
import type { ApiCall } from '../core/calls.js';
import { ApiError } from '../core/errors.js';
import type { ApiReply } from '../core/replies.js';
import { API, type APIOptions } from '../sessions/api.js';
import { bringsOwnToken } from '../sessions/login-session.js';
import { TokenKeeper } from './token-keeper.js';
import { printedCensored, type VKIDSessionTokens, type VKIDTokens } from './tokens.js';
import { VKID, vkidEndpoints } from './vkid.js';

export interface VKIDUserAPIOptions extends Omit<APIOptions<'user'>, 'accessToken' | 'tokenType'> {
  /** The app the tokens were issued to: refreshes are asked of it (through this
   * session's dispatcher or proxy, not the `VKID`'s). */
  vkid: VKID;
  /** Tokens of `vkid.exchangeCode()` or of an earlier `onTokens` (what `VKIDTokens`
   * hold fits as it is). Without `expiresAt`, the token is renewed on error 5 only. */
  tokens: VKIDSessionTokens;
  /** Receives the tokens of every refresh: store them, the old refresh token is spent.
   * The calls waiting for the refresh go on once it returns (throw to fail them; the
   * session keeps the new tokens all the same). */
  onTokens?: (tokens: VKIDTokens) => void | Promise<void>;
}

/**
 * A user session with every section of `API`, on VK ID tokens that it keeps fresh:
 * `new VKIDUserAPI({ vkid, tokens: await vkid.exchangeCode(...), onTokens: save })`.
 */
export class VKIDUserAPI extends API<'user'> {
  readonly #vkid: VKID;
  readonly #keeper: TokenKeeper;
  /** The access token each call went out with, so that error 5 renews that one only. */
  readonly #sentWith = new WeakMap<ApiCall, string>();

  constructor(options: VKIDUserAPIOptions) {
    const { vkid, tokens, onTokens, ...apiOptions } = options;
    if (!(vkid instanceof VKID)) throw new TypeError('vkid must be a VKID (new VKID({ clientId, redirectUri }))');
    super({ ...apiOptions, tokenType: 'user' });
    this.#vkid = vkid;
    const endpoints = vkidEndpoints(vkid);
    this.#keeper = new TokenKeeper({
      tokens: checkTokens(tokens),
      refresh: (refreshToken, deviceId) => endpoints.refresh(this.transport, { refreshToken, deviceId }),
      onTokens,
    });
  }

  /** The tokens the session holds now (renewed ones included), to store. */
  get tokens(): VKIDSessionTokens {
    return printedCensored({ ...this.#keeper.tokens }, 'VKIDSessionTokens');
  }

  protected override async accessTokenFor(call: ApiCall): Promise<string | undefined> {
    if (bringsOwnToken(call)) return undefined;
    const token = await this.#keeper.accessToken(call.options.signal);
    this.#sentWith.set(call, token);
    return token;
  }

  /** Error 5 on the session's token: renew it (one refresh for all the calls sent with
   * it), then send the call once more; what that answers goes to the usual recovery. */
  protected override async recover(error: ApiError, call: ApiCall): Promise<ApiReply> {
    const stale = this.#sentWith.get(call);
    if (error.code !== ApiErrorCode.Auth || stale === undefined) return super.recover(error, call);
    await this.#keeper.renew(stale, call.options.signal);
    const again: ApiCall = { ...call };
    try {
      return await this.resend(again);
    } catch (resent) {
      if (resent instanceof ApiError) return super.recover(resent, again);
      throw resent;
    }
  }

  protected override printable(): Record<string, unknown> {
    const { expiresAt } = this.#keeper.tokens;
    return {
      ...super.printable(),
      authorized: this.#keeper.usable,
      clientId: this.#vkid.clientId,
      idBaseUrl: this.#vkid.idBaseUrl,
      expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt).toISOString(),
    };
  }
}

/** Refuses tokens that cannot be sent or renewed, naming the field, never its value. */
function checkTokens(tokens: VKIDSessionTokens): VKIDSessionTokens {
  if (typeof tokens !== 'object' || tokens === null) throw new TypeError('tokens must be { accessToken, refreshToken, deviceId, expiresAt? }');
  for (const name of ['accessToken', 'refreshToken', 'deviceId'] as const) {
    if (typeof tokens[name] !== 'string' || tokens[name] === '') throw new TypeError(`tokens.${name} must be a non-empty string`);
  }
  const { expiresAt } = tokens;
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    throw new TypeError('tokens.expiresAt must be a time in Date.now() milliseconds');
  }
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, deviceId: tokens.deviceId, expiresAt };
}
