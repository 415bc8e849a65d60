// A small browser for VK's login pages: a cookie jar, redirects followed by hand
// (the final URL's fragment carries the token, and fetch drops fragments), and the
// session's own dispatcher, so the proxy and timeout of API calls apply here too.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { scrubText } from '../core/censor.js';
import { TimeoutError, TransportError } from '../core/errors.js';
import { undici } from '../http/load-undici.js';
import { AuthError, type AuthStep } from './auth-error.js';
import { CookieJar } from './cookie-jar.js';
import { resolveUrl } from './page-params.js';
import type { WebPage } from './web-page.js';

export interface WebClientOptions {
  dispatcher: Dispatcher;
  /** Milliseconds per request (each redirect is a request). */
  timeout: number;
  /** Secret values of the flow, scrubbed from error texts; the flow adds to it as it learns more. */
  secrets: readonly string[];
}

/** No VK flow redirects more than a handful of times; more means a loop. */
const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export class WebClient {
  readonly #options: WebClientOptions;
  readonly #jar = new CookieJar();

  constructor(options: WebClientOptions) {
    this.#options = options;
  }

  get(url: URL | string, step: AuthStep): Promise<WebPage> {
    return this.#follow(new URL(url), 'GET', undefined, step);
  }

  /** POSTs `form`, following redirects; with `arrived`, stops at the first redirect
   * target it accepts without requesting it (its page is then empty). */
  post(url: URL | string, form: URLSearchParams, step: AuthStep, arrived?: (url: URL) => boolean): Promise<WebPage> {
    return this.#follow(new URL(url), 'POST', form.toString(), step, arrived);
  }

  /** Whether the jar holds a live cookie of this name with a value, for any host. */
  hasCookie(name: string): boolean {
    return this.#jar.has(name);
  }

  async #follow(
    start: URL,
    startMethod: 'GET' | 'POST',
    startBody: string | undefined,
    step: AuthStep,
    arrived?: (url: URL) => boolean,
  ): Promise<WebPage> {
    let url = start;
    let method = startMethod;
    let body = startBody;
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.#request(url, method, body);
      const location = response.headers['location'];
      if (!redirectStatuses.has(response.statusCode) || typeof location !== 'string') {
        return { url, status: response.statusCode, body: response.body };
      }
      if (redirects === maxRedirects) {
        throw new AuthError(
          'TOO_MANY_REDIRECTS',
          step,
          `more than ${maxRedirects} redirects from ${start.pathname}`,
          {},
          this.#options.secrets,
        );
      }
      const next = resolveUrl(location, url, step, 'a redirect');
      // A Location without a fragment inherits the current one (RFC 9110, 10.2.2).
      if (next.hash === '' && url.hash !== '') next.hash = url.hash;
      url = next;
      if (arrived?.(url)) return { url, status: response.statusCode, body: '' };
      // As browsers do: 307/308 repeat the request, the others turn it into a GET.
      if (response.statusCode !== 307 && response.statusCode !== 308) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  async #request(url: URL, method: 'GET' | 'POST', body: string | undefined) {
    const { dispatcher, timeout, secrets } = this.#options;
    const target = `${method} ${url.pathname}`;
    const deadline = AbortSignal.timeout(timeout);
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8' };
    const cookie = this.#jar.header(url);
    if (cookie !== '') headers['cookie'] = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    try {
      // undici's request() over the session's dispatcher (which may be the user's, with
      // only dispatch()); a dispatcher follows no redirects unless an interceptor does.
      const response = await undici().request(url, {
        dispatcher,
        method,
        headers,
        body,
        signal: deadline,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await response.body.text();
      // Lets undici mark the connection free before the next request (see ../http/transport.ts).
      await nextTurn();
      for (const setCookie of asList(response.headers['set-cookie'])) this.#jar.store(setCookie, url);
      return { statusCode: response.statusCode, headers: response.headers, body: text };
    } catch (error) {
      const { HeadersTimeoutError, BodyTimeoutError } = undici().errors;
      if (deadline.aborted || error instanceof HeadersTimeoutError || error instanceof BodyTimeoutError) {
        throw new TimeoutError(timeout, error);
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransportError(`${target} failed: ${scrubText(reason, secrets)}`, { cause: error });
    }
  }
}

function asList(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}
