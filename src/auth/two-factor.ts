// The 2FA form of VK's web pages (`act=authcheck`), shared by the web login and the
// password grant's validation page.

import type { AuthStep } from './auth-error.js';
import type { AuthCheck, Challenges } from './challenges.js';
import { formFields, formTarget, requireForm } from './html-form.js';
import type { WebClient } from './web-client.js';
import type { WebPage } from './web-page.js';

/**
 * Asks for a code and posts it with the page's form. A root-relative form action
 * is appended to `base` (the OAuth host for the web login, the mobile host for the
 * validation page), as the seed does.
 */
export async function submitAuthCheck(
  web: WebClient,
  page: WebPage,
  base: string,
  challenges: Challenges,
  step: AuthStep,
  secrets: readonly string[],
  details?: Omit<AuthCheck, 'attempt'>,
): Promise<WebPage> {
  const form = requireForm(page, step, secrets, ['code']);
  const code = await challenges.authCheckCode(step, details);
  return web.post(formTarget(form, page.url, step, base), formFields(form.hidden, { code }), step);
}
