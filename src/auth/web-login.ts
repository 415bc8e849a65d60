// Steps 1-3 of the implicit flow (UserAPI, CommunityAPI): the OAuth login page, its
// form, then captcha and 2FA pages until VK sets the session cookie.

import { AuthError } from './auth-error.js';
import type { Challenges } from './challenges.js';
import { captchaImageUrl, formFields, formTarget, requireForm } from './html-form.js';
import { throwOnOAuthError, urlParam } from './page-params.js';
import { submitAuthCheck } from './two-factor.js';
import type { WebClient } from './web-client.js';

export interface WebLoginOptions {
  readonly web: WebClient;
  readonly oauthBaseUrl: string;
  /** `client_id`, `scope`, `display`, `response_type` (and `group_ids`). */
  readonly authorizeParams: URLSearchParams;
  readonly login: string;
  readonly password: string;
  readonly challenges: Challenges;
  readonly secrets: readonly string[];
}

/** Logs in through VK's web form; afterwards `web`'s cookie jar holds the session. */
export async function webLogin(options: WebLoginOptions): Promise<void> {
  const { web, oauthBaseUrl, challenges, secrets } = options;
  const start = await web.get(`${oauthBaseUrl}/authorize?${options.authorizeParams}`, 'authorize page');
  throwOnOAuthError(start, 'authorize page', secrets);
  const form = requireForm(start, 'authorize page', secrets, ['email', 'pass']);
  const credentials = { email: options.login, pass: options.password };
  let page = await web.post(formTarget(form, start.url, 'login'), formFields(form.hidden, credentials), 'login');

  // Each pass answers one captcha or one 2FA code, and Challenges bounds both.
  for (;;) {
    if (web.hasCookie('remixsid') || web.hasCookie('remixsid6')) return;
    const act = urlParam(page.url, 'act');
    if (urlParam(page.url, 'sid') !== undefined) {
      const captchaForm = requireForm(page, 'captcha', secrets, ['captcha_sid', 'captcha_key', 'email', 'pass']);
      const sid = captchaForm.captchaSid ?? urlParam(page.url, 'sid') ?? '';
      const img = captchaImageUrl(captchaForm, page.url);
      const key = await challenges.captchaKey({ step: 'captcha', sid, img });
      const fields = formFields(captchaForm.hidden, credentials, { captcha_sid: sid, captcha_key: key });
      page = await web.post(formTarget(captchaForm, page.url, 'captcha'), fields, 'captcha');
    } else if (act === 'authcheck') {
      page = await submitAuthCheck(web, page, oauthBaseUrl, challenges, 'two-factor', secrets);
    } else if (act === 'security_check') {
      throw new AuthError(
        'SECURITY_CHECK_REQUIRED',
        'login',
        'VK wants the account confirmed in a browser (phone number check)',
        { redirectUri: page.url.href },
        secrets,
      );
    } else {
      throwOnOAuthError(page, 'login', secrets);
      throw new AuthError(
        'INVALID_CREDENTIALS',
        'login',
        'Login error (e.g. incorrect password)',
        { status: page.status },
        secrets,
      );
    }
  }
}
