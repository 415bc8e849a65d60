// The base of the sessions that log in with a login and password (UserAPI,
// DirectUserAPI, CommunityAPI). Constructors cannot wait, so the login happens on the
// first call, or on `await session.authorize()`; concurrent first calls share it.

import type { TokenScope } from '../../generated/sections.js';
import type { ApiCall } from '../core/calls.js';
import { API, type APIOptions } from './api.js';
import { AuthError } from '../auth/auth-error.js';
import { Challenges, type AuthCheck } from '../auth/challenges.js';
import { implicitGrant } from '../auth/implicit-grant.js';
import { WebClient } from '../auth/web-client.js';
import { webLogin } from '../auth/web-login.js';
import { untilAborted } from '../core/until-aborted.js';

export interface LoginOptions extends Omit<APIOptions, 'tokenType'> {
  /** Phone number or email; asked for in interactive mode when left out. */
  userLogin?: string;
  /** Asked for (without echo) in interactive mode when left out. */
  userPassword?: string;
  /** The app to authorize with. */
  clientId?: number;
  /** Default `https://oauth.vk.ru`. */
  oauthBaseUrl?: string;
  /** VK's mobile site, where the password grant's 2FA page posts. Default `https://m.vk.ru`. */
  mobileBaseUrl?: string;
  /** Supplies the 2FA code (SMS, authenticator app or a backup code); throw to give
   * up. Default: a prompt in interactive mode, else a TWO_FACTOR_REQUIRED AuthError. */
  getAuthCheckCode?: (check: AuthCheck) => string | Promise<string>;
  /** 2FA codes tried in one login before giving up (default 3). */
  authCheckAttempts?: number;
}

/** @internal What a login flow works with. */
export interface LoginContext {
  readonly web: WebClient;
  readonly login: string;
  readonly password: string;
  readonly challenges: Challenges;
  /** Secret values met so far (password, answers, tokens); the flow adds the tokens it gets. */
  readonly secrets: string[];
}

const defaultOauthBaseUrl = 'https://oauth.vk.ru';
const defaultMobileBaseUrl = 'https://m.vk.ru';
const defaultAuthCheckAttempts = 3;

/**
 * @typeParam T the token type the sections are narrowed to
 * @typeParam A what a login yields (a user token, or one token per community)
 * @typeParam X params every method takes besides its own (CommunityAPI's `group_id`)
 */
export abstract class LoginSession<T extends TokenScope, A, X extends object = {}> extends API<T, X> {
  protected readonly oauthBaseUrl: string;
  protected readonly mobileBaseUrl: string;
  protected readonly clientId: number;
  readonly #userLogin: string | undefined;
  readonly #userPassword: string | undefined;
  readonly #getAuthCheckCode: LoginOptions['getAuthCheckCode'];
  readonly #authCheckAttempts: number;
  #authorization: A | undefined;
  #login: Promise<A> | undefined;

  /** @param stored the token(s) given to skip the login, if any */
  protected constructor(options: LoginOptions, tokenType: T, clientId: number, stored: A | undefined) {
    super({ ...options, tokenType });
    this.oauthBaseUrl = baseUrl(options.oauthBaseUrl ?? defaultOauthBaseUrl);
    this.mobileBaseUrl = baseUrl(options.mobileBaseUrl ?? defaultMobileBaseUrl);
    this.clientId = options.clientId ?? clientId;
    if (!(Number.isSafeInteger(this.clientId) && this.clientId > 0)) {
      throw new RangeError(`clientId must be a positive integer, got ${this.clientId}`);
    }
    this.#userLogin = options.userLogin;
    this.#userPassword = options.userPassword;
    this.#getAuthCheckCode = options.getAuthCheckCode;
    this.#authCheckAttempts = options.authCheckAttempts ?? defaultAuthCheckAttempts;
    if (!(Number.isSafeInteger(this.#authCheckAttempts) && this.#authCheckAttempts >= 0)) {
      throw new RangeError(`authCheckAttempts must be a non-negative integer, got ${this.#authCheckAttempts}`);
    }
    this.#authorization = stored;
  }

  /** The token(s) the session holds (obtained, or given to skip the login), to store
   * and hand back to a later session; `undefined` before the login. */
  get authorization(): A | undefined {
    return this.#authorization;
  }

  /**
   * Logs in, unless the session already holds its token(s), and returns them. Calls
   * made meanwhile wait for this login instead of starting another; a failed login
   * is not kept, so the next call or `authorize()` tries again. `signal` stops this
   * caller's wait, not a login other calls may be waiting on.
   */
  authorize(options: { signal?: AbortSignal | undefined } = {}): Promise<A> {
    if (this.#authorization !== undefined) return Promise.resolve(this.#authorization);
    this.#login ??= this.#logIn().finally(() => {
      this.#login = undefined;
    });
    return untilAborted(this.#login, options.signal);
  }

  /** The login and password stay out: only the app and whether the login is done. */
  protected override printable(): Record<string, unknown> {
    return {
      ...super.printable(),
      authorized: this.#authorization !== undefined,
      clientId: this.clientId,
      oauthBaseUrl: this.oauthBaseUrl,
    };
  }

  /** @internal The login flow of the session class. */
  protected abstract logIn(context: LoginContext): Promise<A>;

  /** @internal The implicit flow (UserAPI, CommunityAPI): the web login form, then
   * the grant; returns the final URL's fragment, which carries the token(s). */
  protected async implicitFlow(
    { web, login, password, challenges, secrets }: LoginContext,
    authorizeParams: URLSearchParams,
  ): Promise<URLSearchParams> {
    const oauthBaseUrl = this.oauthBaseUrl;
    await webLogin({ web, oauthBaseUrl, authorizeParams, login, password, challenges, secrets });
    return implicitGrant(web, oauthBaseUrl, authorizeParams, secrets);
  }

  /** Supplies a 2FA code (the seed's `get_auth_check_code`). Default: the
   * `getAuthCheckCode` option, else a prompt in interactive mode, else a
   * TWO_FACTOR_REQUIRED AuthError. */
  protected getAuthCheckCode(check: AuthCheck): string | Promise<string> {
    if (this.#getAuthCheckCode !== undefined) return this.#getAuthCheckCode(check);
    if (this.prompter !== undefined) return this.prompter.authCheckCode();
    throw new AuthError(
      'TWO_FACTOR_REQUIRED',
      'two-factor',
      'VK asks for a two-factor code and no getAuthCheckCode supplies it',
    );
  }

  async #logIn(): Promise<A> {
    const secrets: string[] = [];
    const login = this.#userLogin ?? (await this.prompter?.userLogin());
    const password = this.#userPassword ?? (await this.prompter?.userPassword());
    if (!login || !password) {
      const missing = [login ? undefined : 'userLogin', password ? undefined : 'userPassword']
        .filter(Boolean)
        .join(' and ');
      throw new AuthError(
        'MISSING_CREDENTIALS',
        'credentials',
        `${missing} not given (pass it, or set interactive: true)`,
      );
    }
    secrets.push(password);
    const challenges = new Challenges(
      {
        getCaptchaKey: (error) => this.getCaptchaKey(error),
        getAuthCheckCode: (check) => this.getAuthCheckCode(check),
        captchaAttempts: this.captchaAttempts,
        authCheckAttempts: this.#authCheckAttempts,
      },
      secrets,
    );
    const web = new WebClient({ dispatcher: this.transport.dispatcher, timeout: this.transport.timeout, secrets });
    const authorization = await this.logIn({ web, login, password, challenges, secrets });
    this.#authorization = authorization;
    return authorization;
  }
}

/** Whether the call brings its own `access_token` (then the session's is not needed). */
export function bringsOwnToken(call: ApiCall): boolean {
  return (call.params as Record<string, unknown> | undefined)?.['access_token'] !== undefined;
}

function baseUrl(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}
