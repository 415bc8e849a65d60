// The tokens of one VKIDUserAPI and their renewal: a refresh shortly before the access
// token expires, or when VK answers a call sent with it with error 5; one refresh at a
// time, whichever number of calls wait for it; the rotated tokens to the app. A
// refresh VK refuses ends the session: later calls fail at once, never refreshing again.

import { AuthError } from '../auth/auth-error.js';
import { untilAborted } from '../core/until-aborted.js';
import type { VKIDSessionTokens, VKIDTokens } from './tokens.js';

export interface TokenKeeperOptions {
  readonly tokens: VKIDSessionTokens;
  /** One refresh request (the session's transport carries it). */
  readonly refresh: (refreshToken: string, deviceId: string) => Promise<VKIDTokens>;
  readonly onTokens: ((tokens: VKIDTokens) => void | Promise<void>) | undefined;
}

/** How long before `expiresAt` the token is renewed: room for a call that waits in
 * the rate limiter with the token already in its form. */
const refreshMarginMs = 60_000;

/** The tokens of one session, renewed at most once at a time. */
export class TokenKeeper {
  #tokens: VKIDSessionTokens;
  /** When to renew ahead of a call: `refreshMarginMs` before expiry, or half way for a
   * token that lives shorter than twice that (so that no call refreshes again at once). */
  #renewAt: number | undefined;
  #refreshing: Promise<void> | undefined;
  /** Why the session is over: VK refused its refresh token. */
  #refused: AuthError | undefined;
  readonly #refresh: TokenKeeperOptions['refresh'];
  readonly #onTokens: TokenKeeperOptions['onTokens'];

  constructor(options: TokenKeeperOptions) {
    this.#tokens = options.tokens;
    this.#renewAt = options.tokens.expiresAt === undefined ? undefined : options.tokens.expiresAt - refreshMarginMs;
    this.#refresh = options.refresh;
    this.#onTokens = options.onTokens;
  }

  get tokens(): VKIDSessionTokens {
    return this.#tokens;
  }

  /** Whether the session still holds tokens VK has not refused. */
  get usable(): boolean {
    return this.#refused === undefined;
  }

  /** The access token to send: after the refresh under way, if any; after a new
   * one when this one expires within the margin. */
  async accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.#refreshing !== undefined) await untilAborted(this.#refreshing, signal);
    else if (this.#expiresSoon()) await this.renew(this.#tokens.accessToken, signal);
    if (this.#refused !== undefined) throw this.#refused;
    return this.#tokens.accessToken;
  }

  /**
   * Renews the tokens, unless `stale` (the access token a call went out with) has
   * been replaced already: the calls that went out with one token share one refresh.
   * `signal` ends this caller's wait, not the refresh others wait for.
   */
  async renew(stale: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.#refused !== undefined) throw this.#refused;
    if (this.#refreshing === undefined && stale !== this.#tokens.accessToken) return;
    this.#refreshing ??= this.#renew().finally(() => {
      this.#refreshing = undefined;
    });
    await untilAborted(this.#refreshing, signal);
  }

  #expiresSoon(): boolean {
    return this.#renewAt !== undefined && Date.now() >= this.#renewAt;
  }

  async #renew(): Promise<void> {
    const { refreshToken, deviceId } = this.#tokens;
    let tokens: VKIDTokens;
    try {
      tokens = await this.#refresh(refreshToken, deviceId);
    } catch (error) {
      // VK refused the refresh token (revoked, expired, spent): no refresh will do.
      // Network failures are not kept: the next call tries again.
      if (error instanceof AuthError) this.#refused = error;
      throw error;
    }
    // Kept before the app hears of them: the old refresh token is spent either way.
    const { accessToken, expiresAt, expiresIn } = tokens;
    this.#tokens = { accessToken, refreshToken: tokens.refreshToken, deviceId, expiresAt };
    this.#renewAt = expiresAt === undefined ? undefined : expiresAt - Math.min(refreshMarginMs, (expiresIn * 1000) / 2);
    await this.#onTokens?.(tokens);
  }
}
