// VK errors as the fake server sends them, for a handler to return (or throw) or for
// `fake.inject()`: any code with VK's own message for it, and the ones a client must
// handle: the image captcha, the newer captcha page, the rate limit, a bad token.
// Captcha URLs are paths on the fake (it serves them), so nothing reaches VK.

import { apiErrorDescriptions } from '../../generated/errors.js';
import { FakeApiError, type FakeErrorFields } from './replies.js';

/** Error `code`, with VK's message for it unless `fields.error_msg` says otherwise,
 * and any other field VK would send (`captcha_sid`, `redirect_uri`, ...). */
export function vkError(code: number, fields: Partial<FakeErrorFields> = {}): FakeApiError {
  const message = Object.hasOwn(apiErrorDescriptions, code) ? apiErrorDescriptions[code] : undefined;
  return new FakeApiError({ ...fields, error_code: code, error_msg: fields.error_msg ?? message ?? 'Unknown error occurred' });
}

export interface CaptchaErrorOptions {
  /** `captcha_sid` (default `239633676097`). */
  sid?: string;
  /** `captcha_img` (default: the fake's `/captcha.php?sid=<sid>&s=1`, a small PNG). */
  img?: string;
}

/** Error 14 with an image captcha: answered by re-sending with `captcha_sid` and `captcha_key`. */
export function captchaError(options: CaptchaErrorOptions = {}): FakeApiError {
  const sid = options.sid ?? '239633676097';
  return vkError(14, { captcha_sid: sid, captcha_img: options.img ?? `/captcha.php?sid=${sid}&s=1` });
}

/** The success token the fake's captcha page gives (see {@link captchaRedirectError}). */
export const fakeCaptchaSuccessToken = 'fake-captcha-success-token';

export interface CaptchaRedirectErrorOptions {
  /** `redirect_uri`: the page a person solves the captcha on (default: the fake's
   * `/not_robot_captcha?...`, which shows {@link fakeCaptchaSuccessToken}). */
  redirectUri?: string;
  /** `remixstlid`, a 64-bit integer VK sends as bare digits (default VK's own example,
   * `9069780796616521905`, which a JS number cannot hold). */
  remixstlid?: bigint;
  /** `captcha_attempt` (default 1). */
  attempt?: number;
}

/** Error 14 as VK's newer captcha: a `redirect_uri` page, answered by re-sending with
 * the page's `success_token` and the `remixstlid` (dev.vk.com/en/api/captcha-error). */
export function captchaRedirectError(options: CaptchaRedirectErrorOptions = {}): FakeApiError {
  return vkError(14, {
    redirect_uri:
      options.redirectUri ?? '/not_robot_captcha?domain=vk.com&session_token=fake.session.token&variant=popup&blank=1',
    remixstlid: options.remixstlid ?? 9069780796616521905n,
    captcha_ts: 1700000000.123,
    captcha_attempt: options.attempt ?? 1,
  });
}

/** Error 6, "Too many requests per second": the SDK waits and re-sends. */
export function rateLimitError(): FakeApiError {
  return vkError(6);
}

/** Error 5, "User authorization failed": a bad, expired or revoked token. */
export function authError(message = 'User authorization failed: invalid access_token (4).'): FakeApiError {
  return vkError(5, { error_msg: message });
}
