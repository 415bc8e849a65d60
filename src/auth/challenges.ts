// The questions a login may have to ask (captcha keys, 2FA codes), each bounded by
// its own number of attempts. Every answer joins the flow's secrets at once, so no
// error or log line after it can show it.

import { AuthError, type AuthStep } from './auth-error.js';

/** An answer to a captcha: the key read off the image, or, for VK's newer
 * captcha (a page at `redirectUri`), the `successToken` that page gives. */
export type CaptchaAnswer = string | { readonly successToken: string };

/** What a 2FA code prompt may want to show. */
export interface AuthCheck {
  /** `2fa_app` (an authenticator app) or `2fa_sms`, when VK says. */
  readonly validationType: string | undefined;
  /** The phone the SMS went to, masked by VK (`+7 *** *** ** 12`). */
  readonly phoneMask: string | undefined;
  /** 1 for the first code asked in this login, 2 after VK refused one, ... */
  readonly attempt: number;
}

export interface ChallengeHooks {
  /** Answers the captcha described by the error (whose code is `CAPTCHA_REQUIRED`); throws to give up. */
  getCaptchaKey(error: AuthError): CaptchaAnswer | Promise<CaptchaAnswer>;
  getAuthCheckCode(check: AuthCheck): string | Promise<string>;
  readonly captchaAttempts: number;
  readonly authCheckAttempts: number;
}

export interface Captcha {
  readonly step: AuthStep;
  readonly sid: string;
  readonly img: string | undefined;
  readonly redirectUri?: string | undefined;
}

export class Challenges {
  readonly #hooks: ChallengeHooks;
  readonly #secrets: string[];
  #captchas = 0;
  #codes = 0;

  /** @param secrets the flow's secrets; answers are added to it */
  constructor(hooks: ChallengeHooks, secrets: string[]) {
    this.#hooks = hooks;
    this.#secrets = secrets;
  }

  /** Asks for the answer to a captcha; fails with CAPTCHA_FAILED once VK has asked more times than `captchaAttempts`. */
  async captchaAnswer(captcha: Captcha): Promise<CaptchaAnswer> {
    if (this.#captchas >= this.#hooks.captchaAttempts) {
      throw new AuthError(
        'CAPTCHA_FAILED',
        captcha.step,
        `VK still asks for a captcha after ${this.#captchas} answer(s)`,
        {},
        this.#secrets,
      );
    }
    this.#captchas += 1;
    const question = new AuthError(
      'CAPTCHA_REQUIRED',
      captcha.step,
      'VK asks for a captcha and no getCaptchaKey answers it',
      { captchaSid: captcha.sid, captchaImg: captcha.img, redirectUri: captcha.redirectUri },
      this.#secrets,
    );
    const answer = await this.#hooks.getCaptchaKey(question);
    const secret = typeof answer === 'string' ? answer : answer?.successToken;
    if (typeof secret !== 'string') {
      throw new AuthError(
        'CAPTCHA_FAILED',
        captcha.step,
        'getCaptchaKey gave neither a key nor { successToken }',
        {},
        this.#secrets,
      );
    }
    this.#secrets.push(secret);
    return answer;
  }

  /** The captcha's key; a page captcha has no success token to give. */
  async captchaKey(captcha: Captcha): Promise<string> {
    const answer = await this.captchaAnswer(captcha);
    if (typeof answer !== 'string') {
      throw new AuthError(
        'CAPTCHA_FAILED',
        captcha.step,
        'this captcha takes a key read off its image, not a success token',
        {},
        this.#secrets,
      );
    }
    return answer;
  }

  /** Asks for a 2FA code; fails with TWO_FACTOR_FAILED once VK has refused `authCheckAttempts` codes. */
  async authCheckCode(
    step: AuthStep,
    details: Omit<AuthCheck, 'attempt'> = { validationType: undefined, phoneMask: undefined },
  ): Promise<string> {
    if (this.#codes >= this.#hooks.authCheckAttempts) {
      throw new AuthError('TWO_FACTOR_FAILED', step, `VK refused ${this.#codes} two-factor code(s)`, {}, this.#secrets);
    }
    this.#codes += 1;
    const code = await this.#hooks.getAuthCheckCode({ ...details, attempt: this.#codes });
    if (typeof code !== 'string' || code.trim() === '') {
      throw new AuthError('TWO_FACTOR_FAILED', step, 'getAuthCheckCode gave no code', {}, this.#secrets);
    }
    this.#secrets.push(code.trim());
    return code.trim();
  }
}
