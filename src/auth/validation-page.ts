// The password grant's 2FA through VK's validation page (the seed's way): open
// `redirect_uri`, post codes to its `act=authcheck` form (answering a captcha VK may
// put in between, `act=authcheck_code`) until a URL's fragment has the token.

import { AuthError } from './auth-error.js';
import type { Challenges } from './challenges.js';
import { captchaImageUrl, findForm, formFields, formTarget } from './html-form.js';
import { optionalNumber, resolveUrl, throwOnOAuthError, urlParam } from './page-params.js';
import { submitAuthCheck } from './two-factor.js';
import type { UserToken } from './user-token.js';
import type { WebClient } from './web-client.js';

export interface ValidationPageOptions {
  readonly web: WebClient;
  readonly redirectUri: string;
  readonly mobileBaseUrl: string;
  readonly challenges: Challenges;
  readonly secrets: string[];
}

export async function validationPage(options: ValidationPageOptions): Promise<UserToken> {
  const { web, mobileBaseUrl, challenges, secrets } = options;
  const redirectUri = resolveUrl(options.redirectUri, undefined, 'validation page', 'need_validation pointing');
  let page = await web.get(redirectUri, 'validation page');
  // Each pass answers one captcha or one 2FA code, and Challenges bounds both.
  for (;;) {
    const token = new URLSearchParams(page.url.hash.slice(1)).get('access_token');
    if (token !== null) {
      secrets.push(token);
      return {
        accessToken: token,
        userId: optionalNumber(urlParam(page.url, 'user_id')),
        expiresIn: optionalNumber(urlParam(page.url, 'expires_in')),
      };
    }
    if (urlParam(page.url, 'fail') !== undefined) {
      throw new AuthError('TWO_FACTOR_FAILED', 'validation page', 'VK ended the validation with "fail"', {}, secrets);
    }
    throwOnOAuthError(page, 'validation page', secrets);
    const act = urlParam(page.url, 'act');
    const captchaForm = act === 'authcheck_code' ? findForm(page.body, ['captcha_sid']) : undefined;
    if (act === 'authcheck') {
      page = await submitAuthCheck(web, page, mobileBaseUrl, challenges, 'validation page', secrets);
    } else if (captchaForm?.captchaSid !== undefined) {
      const img = captchaImageUrl(captchaForm, page.url);
      const key = await challenges.captchaKey({ step: 'captcha', sid: captchaForm.captchaSid, img });
      const fields = formFields(captchaForm.hidden, { captcha_key: key });
      page = await web.post(formTarget(captchaForm, page.url, 'captcha', mobileBaseUrl), fields, 'captcha');
    } else if (act === 'security_check') {
      throw new AuthError(
        'SECURITY_CHECK_REQUIRED',
        'validation page',
        'VK wants the account confirmed in a browser (phone number check)',
        { redirectUri: page.url.href },
        secrets,
      );
    } else {
      throw new AuthError(
        'TOKEN_MISSING',
        'validation page',
        `the validation ended on ${page.url.pathname} without a token`,
        { status: page.status },
        secrets,
      );
    }
  }
}
