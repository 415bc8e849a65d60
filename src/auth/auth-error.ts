// The error every login flow ends in when it does not end in a token: a
// machine-readable code, the step that failed, and VK's own words when it gave any.

import { censorDeep, scrubText } from '../core/censor.js';
import { VkError } from '../core/errors.js';

/** Why a login (or a community session's token lookup) failed. */
export type AuthErrorCode =
  /** No login or password was given, and the session is not interactive. */
  | 'MISSING_CREDENTIALS'
  /** VK refused the login or password. */
  | 'INVALID_CREDENTIALS'
  /** VK asks for a captcha and nothing answers it (no `getCaptchaKey`). */
  | 'CAPTCHA_REQUIRED'
  /** VK still asks for a captcha after `captchaAttempts` answers. */
  | 'CAPTCHA_FAILED'
  /** The account has two-factor authentication and nothing supplies a code (no `getAuthCheckCode`). */
  | 'TWO_FACTOR_REQUIRED'
  /** VK refused the codes given (`authCheckAttempts` of them), or ended 2FA with `fail`. */
  | 'TWO_FACTOR_FAILED'
  /** VK wants the account confirmed in a browser (phone number check); `redirectUri` says where. */
  | 'SECURITY_CHECK_REQUIRED'
  /** A page lacks the form (or the fields) the flow must submit: VK changed its pages. */
  | 'FORM_NOT_FOUND'
  /** VK answered with an OAuth error (`error`, `error_description`). */
  | 'OAUTH_ERROR'
  /** The flow ended without the token(s) it was after. */
  | 'TOKEN_MISSING'
  /** A page redirected more times than any VK flow does. */
  | 'TOO_MANY_REDIRECTS'
  /** A reply no step of the flow expects (an HTTP error page, JSON where HTML belongs, ...). */
  | 'UNEXPECTED_RESPONSE'
  /** VK ID: a redirect (or a reply) carries a `state` other than the one this login sent. */
  | 'STATE_MISMATCH'
  /** A community session was asked to call for a group it holds no token for. */
  | 'GROUP_NOT_AUTHORIZED'
  /** Interactive mode: the input ended (or was interrupted) before an answer. */
  | 'INPUT_CLOSED';

/** Where the flow was when it failed. */
export type AuthStep =
  | 'credentials'
  | 'authorize page'
  | 'login'
  | 'captcha'
  | 'two-factor'
  | 'grant access'
  | 'token'
  | 'password grant'
  | 'validation page'
  | 'call';

export interface AuthErrorDetails {
  /** VK's `error_description`, verbatim. */
  errorDescription?: string | undefined;
  /** VK's OAuth `error` (`invalid_client`, `need_captcha`, ...). */
  oauthError?: string | undefined;
  /** VK's `error_type` (`username_or_password_is_incorrect`, `wrong_otp`, ...). */
  errorType?: string | undefined;
  captchaSid?: string | undefined;
  captchaImg?: string | undefined;
  /** A page to open in a browser (security check), or the newer captcha's page. */
  redirectUri?: string | undefined;
  /** HTTP status of the reply that ended the flow. */
  status?: number | undefined;
  /** VK's JSON reply as sent, secrets censored. */
  raw?: Readonly<Record<string, unknown>> | undefined;
  cause?: unknown;
}

export class AuthError extends VkError {
  override name = 'AuthError';

  readonly code: AuthErrorCode;
  readonly step: AuthStep;
  readonly errorDescription: string | undefined;
  readonly oauthError: string | undefined;
  readonly errorType: string | undefined;
  readonly captchaSid: string | undefined;
  readonly captchaImg: string | undefined;
  readonly redirectUri: string | undefined;
  readonly status: number | undefined;
  readonly raw: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param text what went wrong, for people (VK's description when it gave one)
   * @param secrets secret values of the flow (password, codes, tokens) to scrub
   *   from every text field, should VK echo them
   */
  constructor(
    code: AuthErrorCode,
    step: AuthStep,
    text: string,
    details: AuthErrorDetails = {},
    secrets: readonly string[] = [],
  ) {
    // Auth replies are the context where `code` is a secret (a 2FA or authorization code).
    const scrub = (value: string | undefined): string | undefined =>
      value === undefined ? undefined : scrubText(value, secrets, 'auth');
    super(
      `[${code}] ${step}: ${scrub(text)}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.step = step;
    this.errorDescription = scrub(details.errorDescription);
    this.oauthError = scrub(details.oauthError);
    this.errorType = scrub(details.errorType);
    this.captchaSid = scrub(details.captchaSid);
    this.captchaImg = scrub(details.captchaImg);
    this.redirectUri = scrub(details.redirectUri);
    this.status = details.status;
    this.raw = details.raw === undefined ? undefined : (censorDeep(details.raw, secrets, 'auth') as Record<string, unknown>);
  }
}
