// Reading VK's login pages: the form to submit (where to, and its hidden fields, as a
// browser would send them) and the captcha on it.

import type { DefaultTreeAdapterMap } from 'parse5';
import { AuthError, type AuthStep } from './auth-error.js';
import { htmlParser } from './lazy-modules.js';
import { resolveUrl } from './page-params.js';
import type { WebPage } from './web-page.js';

export interface PageForm {
  /** The `action` attribute as written (may be relative; `undefined` when absent). */
  readonly action: string | undefined;
  /** The form's hidden inputs, in page order. */
  readonly hidden: URLSearchParams;
  /** The form's `captcha_sid` hidden input, when it has one. */
  readonly captchaSid: string | undefined;
  /** The `src` of a `captcha.php` image on the page. */
  readonly captchaImg: string | undefined;
}

type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** The elements under `node`, in document order; a loop, not recursion, however deep the page nests. */
function elementsUnder(node: ParentNode): Element[] {
  const found: Element[] = [];
  const pending: DefaultTreeAdapterMap['childNode'][] = [...node.childNodes].reverse();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (!('tagName' in next)) continue;
    found.push(next);
    for (let index = next.childNodes.length - 1; index >= 0; index--) pending.push(next.childNodes[index]!);
  }
  return found;
}

const attribute = (element: Element, name: string) => element.attrs.find((each) => each.name === name)?.value;

/** The first form with an input named one of `inputNames` (any form when none are
 * given); `undefined` when the page has none. Parsed as a browser parses it (parse5). */
export function findForm(html: string, inputNames: readonly string[] = []): PageForm | undefined {
  const page = elementsUnder(htmlParser().parse(html));
  const inputsOf = (form: Element) => elementsUnder(form).filter((element) => element.tagName === 'input');
  const form = page
    .filter((element) => element.tagName === 'form')
    .find((candidate) => inputNames.length === 0 || inputsOf(candidate).some((input) => inputNames.includes(attribute(input, 'name') ?? '')));
  if (!form) return undefined;
  const hidden = new URLSearchParams();
  for (const input of inputsOf(form)) {
    const name = attribute(input, 'name');
    if (name && attribute(input, 'type')?.toLowerCase() === 'hidden') hidden.append(name, attribute(input, 'value') ?? '');
  }
  const captcha = page.find((element) => element.tagName === 'img' && attribute(element, 'src')?.includes('captcha.php'));
  return {
    action: attribute(form, 'action'),
    hidden,
    captchaSid: hidden.get('captcha_sid') ?? undefined,
    captchaImg: captcha && attribute(captcha, 'src'),
  };
}

/**
 * Where a form posts. An absolute action is used as is; a root-relative one
 * (`/login?act=...`) is appended to `base` when given (VK's 2FA forms, which the
 * flows post to the OAuth or mobile host the session is configured with);
 * anything else resolves against the page, as a browser would.
 */
export function formTarget(form: PageForm, pageUrl: URL, step: AuthStep, base?: string): URL {
  const action = form.action ?? '';
  if (base !== undefined && action.startsWith('/') && !action.startsWith('//')) {
    return resolveUrl(base + action, undefined, step, 'a form posting');
  }
  return resolveUrl(action, pageUrl, step, 'a form posting');
}

/** A captcha image's address, resolved against the page when it can be. */
export function captchaImageUrl(form: PageForm, pageUrl: URL): string | undefined {
  const img = form.captchaImg;
  return img !== undefined && URL.canParse(img, pageUrl.href) ? new URL(img, pageUrl).href : img;
}

/** `findForm`, or a FORM_NOT_FOUND naming the step and the page. */
export function requireForm(
  page: WebPage,
  step: AuthStep,
  secrets: readonly string[],
  inputNames: readonly string[] = [],
): PageForm {
  const form = findForm(page.body, inputNames);
  if (form) return form;
  const wanted = inputNames.length === 0 ? 'a form' : `a form with ${inputNames.join(' or ')}`;
  throw new AuthError(
    'FORM_NOT_FOUND',
    step,
    `no ${wanted} on ${page.url.pathname} (HTTP ${page.status})`,
    { status: page.status },
    secrets,
  );
}

/** Form fields: `base` first, then each of `more` (later values replace earlier ones). */
export function formFields(base: URLSearchParams, ...more: Readonly<Record<string, string>>[]): URLSearchParams {
  const fields = new URLSearchParams(base);
  for (const record of more) for (const [key, value] of Object.entries(record)) fields.set(key, value);
  return fields;
}
