// DirectUserAPI's flow: VK's password grant (`<oauth>/token`), with its captcha and
// its two kinds of 2FA (the documented re-send with `code`, and the validation page).

import { AuthError } from './auth-error.js';
import type { AuthCheck, Challenges } from './challenges.js';
import { jsonBody, optionalNumber, stringField } from './page-params.js';
import type { UserToken } from './user-token.js';
import { validationPage } from './validation-page.js';
import type { WebClient } from './web-client.js';

export interface PasswordGrantOptions {
  readonly web: WebClient;
  readonly oauthBaseUrl: string;
  readonly mobileBaseUrl: string;
  readonly clientId: number;
  readonly clientSecret: string;
  readonly scope: string | undefined;
  readonly login: string;
  readonly password: string;
  readonly challenges: Challenges;
  /** The flow's secrets; the token joins them. */
  readonly secrets: string[];
}

/** `error_type`s VK answers a wrong or malformed 2FA code with. */
const wrongCodeTypes = new Set(['wrong_otp', 'otp_format_is_incorrect']);

export async function passwordGrant(options: PasswordGrantOptions): Promise<UserToken> {
  const { web, challenges, secrets } = options;
  const base = new URLSearchParams({
    grant_type: 'password',
    client_id: String(options.clientId),
    client_secret: options.clientSecret,
    username: options.login,
    password: options.password,
    '2fa_supported': '1',
  });
  if (options.scope !== undefined) base.set('scope', options.scope);

  let code: string | undefined;
  let captcha: Record<string, string> = {};
  let check: Omit<AuthCheck, 'attempt'> = { validationType: undefined, phoneMask: undefined };
  // Each pass answers one captcha or one 2FA code, and Challenges bounds both.
  for (;;) {
    const form = new URLSearchParams(base);
    if (code !== undefined) form.set('code', code);
    for (const [key, value] of Object.entries(captcha)) form.set(key, value);
    captcha = {}; // an answer is good for one request
    const page = await web.post(`${options.oauthBaseUrl}/token`, form, 'password grant');
    const reply = jsonBody(page);
    if (reply === undefined) {
      throw new AuthError(
        'UNEXPECTED_RESPONSE',
        'password grant',
        `HTTP ${page.status} from ${page.url.pathname}, not JSON`,
        { status: page.status },
        secrets,
      );
    }
    const token = stringField(reply, 'access_token');
    if (token !== undefined) {
      secrets.push(token);
      return {
        accessToken: token,
        userId: optionalNumber(stringField(reply, 'user_id')),
        expiresIn: optionalNumber(stringField(reply, 'expires_in')),
      };
    }

    const error = stringField(reply, 'error');
    const errorType = stringField(reply, 'error_type');
    const description = stringField(reply, 'error_description');
    const details = { oauthError: error, errorType, errorDescription: description, status: page.status, raw: reply };
    if (error === 'need_captcha') {
      const sid = stringField(reply, 'captcha_sid') ?? '';
      const answer = await challenges.captchaAnswer({
        step: 'captcha',
        sid,
        img: stringField(reply, 'captcha_img'),
        redirectUri: stringField(reply, 'redirect_uri'),
      });
      captcha =
        typeof answer === 'string'
          ? { captcha_sid: sid, captcha_key: answer }
          : { captcha_sid: sid, success_token: answer.successToken };
    } else if (error === 'need_validation') {
      const redirectUri = stringField(reply, 'redirect_uri');
      check = { validationType: stringField(reply, 'validation_type'), phoneMask: stringField(reply, 'phone_mask') };
      // Without a validation_type VK offers no code re-send, only its validation page.
      if (check.validationType === undefined && redirectUri !== undefined) {
        return validationPage({ web, redirectUri, mobileBaseUrl: options.mobileBaseUrl, challenges, secrets });
      }
      code = await challenges.authCheckCode('two-factor', check);
    } else if (code !== undefined && errorType !== undefined && wrongCodeTypes.has(errorType)) {
      code = await challenges.authCheckCode('two-factor', check);
    } else if (error === 'invalid_client' && isCredentialsError(errorType, description)) {
      throw new AuthError(
        'INVALID_CREDENTIALS',
        'password grant',
        description ?? 'Username or password is incorrect',
        details,
        secrets,
      );
    } else {
      throw new AuthError(
        'OAUTH_ERROR',
        'password grant',
        description ?? error ?? `HTTP ${page.status} without a token`,
        details,
        secrets,
      );
    }
  }
}

/** VK answers both a wrong password and a wrong client with `invalid_client`; the
 * `error_type` (or, without one, the description) tells them apart. */
function isCredentialsError(errorType: string | undefined, description: string | undefined): boolean {
  if (errorType !== undefined) return errorType === 'username_or_password_is_incorrect';
  return /username or password/i.test(description ?? '');
}
