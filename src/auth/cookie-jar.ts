// The login flows' cookie jar: RFC 6265's storage model (section 5.3) and its rules
// for which cookies a request carries (5.4). undici parses each Set-Cookie header
// (`parseCookie`); this file keeps what it parsed and picks what to send.
//
// No public-suffix list: a jar lives for one login, which only talks to VK's own
// hosts, so a cookie set for a whole public suffix (`Domain=co.uk`) could only reach
// VK again. Single-label domains (`Domain=ru`) are refused as the suffixes they are.

import { isIP } from 'node:net';
import { undici } from '../http/load-undici.js';

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  /** The host it came from (host-only), or the domain whose hosts it goes to. */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  /** Epoch ms; `Infinity` for a session cookie. */
  readonly expiresAt: number;
}

/** A server cannot grow the jar without bound; browsers keep a few thousand for every site. */
export const maxCookies = 300;

/** undici ignores a negative Max-Age, which RFC 6265 (5.2.2) reads as "expired already". */
const negativeMaxAge = /;\s*max-age\s*=\s*-\d+\s*(?:;|$)/i;

export class CookieJar {
  /** In creation order, which breaks ties in the Cookie header's order. */
  #cookies: StoredCookie[] = [];

  /** Keeps (or, when it expired, removes) the cookie of one Set-Cookie header that
   * `url` replied with; a header a browser would ignore is ignored. */
  store(setCookie: string, url: URL, now = Date.now()): void {
    const parsed = undici().parseCookie(setCookie);
    if (!parsed || parsed.name === '') return;
    const host = url.hostname;
    const attribute = parsed.domain ?? '';
    // A suffix set as a domain (RFC 6265 5.3 step 5) is for that very host only.
    const isSuffix = attribute !== '' && !attribute.includes('.');
    if (isSuffix && attribute !== host) return;
    const hostOnly = attribute === '' || isSuffix;
    if (!hostOnly && !domainMatches(host, attribute)) return;
    if (parsed.secure && !isSecureOrigin(url)) return;
    const cookie: StoredCookie = {
      name: parsed.name,
      value: parsed.value,
      domain: hostOnly ? host : attribute,
      hostOnly,
      path: parsed.path ?? defaultPath(url),
      secure: parsed.secure === true,
      expiresAt: negativeMaxAge.test(setCookie) ? -Infinity : expiry(parsed, now),
    };
    const same = this.#cookies.findIndex(
      (old) => old.name === cookie.name && old.domain === cookie.domain && old.path === cookie.path,
    );
    if (cookie.expiresAt <= now) {
      if (same !== -1) this.#cookies.splice(same, 1);
    } else if (same !== -1) {
      this.#cookies[same] = cookie; // a replaced cookie keeps its creation time (5.3 step 11)
    } else {
      this.#cookies.push(cookie);
      if (this.#cookies.length > maxCookies) this.#cookies.shift();
    }
  }

  /** The `Cookie` header for a request to `url`: longer paths first (5.4); `''` when
   * no cookie goes there. */
  header(url: URL, now = Date.now()): string {
    return this.#cookies
      .filter((cookie) => cookie.expiresAt > now && goesTo(cookie, url))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** Whether a live cookie of this name with a value is held, for any host. */
  has(name: string, now = Date.now()): boolean {
    return this.#cookies.some((cookie) => cookie.name === name && cookie.value !== '' && cookie.expiresAt > now);
  }
}

/** Max-Age wins over Expires; an unreadable Expires is no expiry (5.2.1). */
function expiry(parsed: { maxAge?: number; expires?: Date | number }, now: number): number {
  if (parsed.maxAge !== undefined) return now + parsed.maxAge * 1000;
  const expires = parsed.expires === undefined ? Number.NaN : Number(parsed.expires);
  return Number.isNaN(expires) ? Infinity : expires;
}

function goesTo(cookie: StoredCookie, url: URL): boolean {
  const host = url.hostname;
  if (cookie.hostOnly ? host !== cookie.domain : !domainMatches(host, cookie.domain)) return false;
  if (cookie.secure && !isSecureOrigin(url)) return false;
  return pathMatches(url.pathname, cookie.path);
}

/** RFC 6265 5.1.3: the host itself, or a host name (not an IP address) under the domain. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return host.endsWith(`.${domain}`) && isIP(host.replace(/^\[|\]$/g, '')) === 0;
}

/** RFC 6265 5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 5.1.4: the request path up to its last `/`. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** HTTPS, or a loopback host: what browsers count as secure for Secure cookies. */
function isSecureOrigin(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
