// Step 4 of the implicit flow: with the session cookie set, authorize the app (through
// the "grant access" page the first time) and read the token(s) off the fragment of
// the URL VK redirects to. That URL is read, never requested: a request would put
// the token in a URL (VK's auth_redirect page carries it in its query) for every
// proxy and logging interceptor on the way to see.

import { AuthError } from './auth-error.js';
import { formTarget, requireForm } from './html-form.js';
import { resolveUrl, throwOnOAuthError, urlParam } from './page-params.js';
import type { WebClient } from './web-client.js';

/** The params of the fragment that carries the token(s): `access_token` (or one
 * `access_token_<group_id>` per group), `expires_in`, `user_id`. */
export async function implicitGrant(
  web: WebClient,
  oauthBaseUrl: string,
  authorizeParams: URLSearchParams,
  secrets: readonly string[],
): Promise<URLSearchParams> {
  let page = await web.post(`${oauthBaseUrl}/authorize`, authorizeParams, 'grant access', carriesToken);
  throwOnOAuthError(page, 'grant access', secrets);
  let tokenUrl = tokenUrlOf(page.url);
  if (tokenUrl === undefined) {
    const form = requireForm(page, 'grant access', secrets);
    page = await web.post(formTarget(form, page.url, 'grant access'), new URLSearchParams(), 'grant access', carriesToken);
    throwOnOAuthError(page, 'grant access', secrets);
    tokenUrl = tokenUrlOf(page.url);
  }
  if (tokenUrl === undefined) {
    throw new AuthError('TOKEN_MISSING', 'token', 'OAuth authorization failed', { status: page.status }, secrets);
  }
  const fragment = new URLSearchParams(tokenUrl.hash.slice(1));
  const error = fragment.get('error');
  if (error !== null) {
    const description = fragment.get('error_description') ?? undefined;
    throw new AuthError(
      'OAUTH_ERROR',
      'token',
      description ?? error,
      { oauthError: error, errorDescription: description },
      secrets,
    );
  }
  return fragment;
}

/**
 * Where the token is: the `authorize_url` param (URL-decoded: VK's redirect page
 * carries the final URL in it), or the URL itself when VK redirected straight to
 * it (`blank.html#access_token=...`, or `#error=...`).
 */
function tokenUrlOf(url: URL): URL | undefined {
  const authorizeUrl = urlParam(url, 'authorize_url');
  if (authorizeUrl !== undefined) return resolveUrl(authorizeUrl, undefined, 'token', 'authorize_url pointing');
  const fragment = new URLSearchParams(url.hash.slice(1));
  return [...fragment.keys()].some((key) => key.startsWith('access_token') || key === 'error') ? url : undefined;
}

const carriesToken = (url: URL): boolean => tokenUrlOf(url) !== undefined;
