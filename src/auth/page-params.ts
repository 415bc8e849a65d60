// Reading what VK's pages and redirects say: URL params (the fragment first, where
// tokens travel, then the query) and OAuth errors sent as JSON.

import { AuthError, type AuthStep } from './auth-error.js';
import type { WebPage } from './web-page.js';

/** `reference` resolved against `base`; a URL VK wrote that cannot be read is an
 * UNEXPECTED_RESPONSE naming `what` it was, never a TypeError. */
export function resolveUrl(reference: string, base: URL | string | undefined, step: AuthStep, what: string): URL {
  if (!URL.canParse(reference, base?.toString())) {
    throw new AuthError('UNEXPECTED_RESPONSE', step, `${what} to a URL that cannot be read`);
  }
  return new URL(reference, base);
}

/** A param of `url`, looked up in the fragment first, then in the query. */
export function urlParam(url: URL, name: string): string | undefined {
  return new URLSearchParams(url.hash.slice(1)).get(name) ?? url.searchParams.get(name) ?? undefined;
}

/** The page's body as a JSON object, when it is one. */
export function jsonBody(page: WebPage): Record<string, unknown> | undefined {
  const text = page.body.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Throws the OAuth error a page carries (a JSON `{error, error_description}`, or
 * `error=` in the URL), and an UNEXPECTED_RESPONSE for an HTTP error page. */
export function throwOnOAuthError(page: WebPage, step: AuthStep, secrets: readonly string[]): void {
  const json = jsonBody(page);
  const error = stringField(json, 'error') ?? urlParam(page.url, 'error');
  if (error !== undefined) {
    const description = stringField(json, 'error_description') ?? urlParam(page.url, 'error_description');
    throw new AuthError(
      'OAUTH_ERROR',
      step,
      description ?? error,
      {
        oauthError: error,
        errorDescription: description,
        errorType: stringField(json, 'error_type'),
        status: page.status,
        raw: json,
      },
      secrets,
    );
  }
  if (page.status >= 400) {
    throw new AuthError(
      'UNEXPECTED_RESPONSE',
      step,
      `HTTP ${page.status} from ${page.url.pathname}`,
      { status: page.status },
      secrets,
    );
  }
}

export function stringField(record: Readonly<Record<string, unknown>> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** A number from a page param or JSON field; `undefined` for anything else. */
export function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
