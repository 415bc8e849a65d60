// The login flows' cookie jar against RFC 6265: which Set-Cookie headers it keeps,
// replaces or drops, and which cookies a request carries. Time is passed in, so
// expiry is tested without waiting.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CookieJar, maxCookies } from '../../src/auth/cookie-jar.js';

const now = Date.parse('2026-01-01T00:00:00Z');
const login = new URL('https://login.vk.ru/?act=login');
const at = (href: string) => new URL(href);

function jarWith(url: URL, ...headers: string[]): CookieJar {
  const jar = new CookieJar();
  for (const header of headers) jar.store(header, url, now);
  return jar;
}

describe('CookieJar: domains', () => {
  test('a cookie without Domain goes back to its host only; with Domain, to the subdomains too', () => {
    const jar = jarWith(login, 'host=1', 'wide=2; Domain=.VK.ru');
    assert.equal(jar.header(at('https://login.vk.ru/x'), now), 'host=1; wide=2');
    assert.equal(jar.header(at('https://oauth.vk.ru/authorize'), now), 'wide=2');
    assert.equal(jar.header(at('https://vk.ru/'), now), 'wide=2');
    assert.equal(jar.header(at('https://notvk.ru/'), now), '', 'a domain matches on label boundaries');
    assert.equal(jar.header(at('https://api.vk.com/'), now), '');
  });

  test('a Domain the host is not under, or a bare suffix, is refused', () => {
    const jar = jarWith(login, 'a=1; Domain=oauth.vk.ru', 'b=2; Domain=vk.com', 'c=3; Domain=ru');
    assert.equal(jar.header(at('https://oauth.vk.ru/'), now), '');
    assert.equal(jar.header(at('https://vk.com/'), now), '');
    assert.equal(jar.header(at('https://mail.ru/'), now), '');
    assert.equal(jar.has('a', now) || jar.has('b', now) || jar.has('c', now), false);
  });

  test('a bare suffix naming the host itself is a host-only cookie', () => {
    const jar = jarWith(at('http://localhost:8080/'), 'a=1; Domain=localhost');
    assert.equal(jar.header(at('http://localhost:9090/'), now), 'a=1', 'cookies ignore ports');
  });

  test('an IP address host gets no cookies of a domain it only ends with', () => {
    const jar = jarWith(at('http://127.0.0.1/'), 'a=1; Domain=0.0.1', 'b=2; Domain=127.0.0.1');
    assert.equal(jar.header(at('http://127.0.0.1/'), now), 'b=2');
  });
});

describe('CookieJar: paths', () => {
  test('the default path is the request path up to its last slash; longer paths go first', () => {
    const jar = jarWith(at('https://m.vk.ru/login/code?x=1'), 'short=1; Path=/', 'dir=2', 'deep=3; Path=/login/code');
    assert.equal(jar.header(at('https://m.vk.ru/login/code'), now), 'deep=3; dir=2; short=1');
    assert.equal(jar.header(at('https://m.vk.ru/login/other'), now), 'dir=2; short=1');
    assert.equal(jar.header(at('https://m.vk.ru/loginx'), now), 'short=1', 'a path matches on segment boundaries');
    assert.equal(jar.header(at('https://m.vk.ru/'), now), 'short=1');
  });

  test('equal paths keep the order the cookies were first set in, also when one is replaced', () => {
    const jar = jarWith(login, 'a=1; Path=/', 'b=2; Path=/', 'a=3; Path=/');
    assert.equal(jar.header(login, now), 'a=3; b=2');
  });

  test('the same name on another path is another cookie', () => {
    const jar = jarWith(login, 'a=1; Path=/', 'a=2; Path=/x');
    assert.equal(jar.header(at('https://login.vk.ru/x/y'), now), 'a=2; a=1');
  });
});

describe('CookieJar: expiry', () => {
  const day = 86_400_000;

  test('Max-Age counts from when the cookie was set, and wins over Expires', () => {
    const jar = jarWith(login, 'a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:01 GMT');
    assert.equal(jar.header(login, now + 59_000), 'a=1');
    assert.equal(jar.header(login, now + 60_000), '');
    assert.equal(jar.has('a', now + 60_000), false);
  });

  test('Expires in either date form; an unreadable one makes a session cookie', () => {
    const jar = jarWith(
      login,
      'a=1; Expires=Fri, 02 Jan 2026 00:00:00 GMT',
      'b=2; Expires=Fri, 02-Jan-2026 00:00:00 GMT',
      'c=3; Expires=someday',
    );
    assert.equal(jar.header(login, now + day - 1), 'a=1; b=2; c=3');
    assert.equal(jar.header(login, now + day), 'c=3');
  });

  test('Max-Age=0, a negative Max-Age or a past Expires removes the cookie it replaces', () => {
    for (const removal of ['Max-Age=0', 'Max-Age=-1', 'Expires=Thu, 01 Jan 1970 00:00:01 GMT']) {
      const jar = jarWith(login, 'remixlhk=abc; Path=/', 'other=1', `remixlhk=; Path=/; ${removal}`);
      assert.equal(jar.header(login, now), 'other=1', removal);
      assert.equal(jar.has('remixlhk', now), false, removal);
    }
  });

  test('a removal for another path or domain leaves the cookie alone', () => {
    const jar = jarWith(login, 'a=1; Path=/', 'a=; Path=/x; Max-Age=0', 'a=; Domain=vk.ru; Max-Age=0');
    assert.equal(jar.header(login, now), 'a=1');
  });

  test('has() wants a value: an emptied cookie is no session', () => {
    const jar = jarWith(login, 'remixsid=; Path=/');
    assert.equal(jar.has('remixsid', now), false);
    assert.equal(jar.has('remixsid6', now), false);
  });
});

describe('CookieJar: what is refused', () => {
  test('a Secure cookie is kept and sent over HTTPS and loopback only', () => {
    const jar = new CookieJar();
    jar.store('tls=1; Secure', login, now);
    jar.store('plain=1; Secure', at('http://login.vk.ru/'), now);
    jar.store('local=1; Secure', at('http://127.0.0.1:3000/'), now);
    assert.equal(jar.header(login, now), 'tls=1');
    assert.equal(jar.header(at('http://login.vk.ru/'), now), '', 'not sent in the clear');
    assert.equal(jar.header(at('http://127.0.0.1:3000/'), now), 'local=1');
  });

  test('nameless or malformed headers are ignored', () => {
    const jar = jarWith(login, '=v', 'novalue', 'bad=1\u0001', '');
    assert.equal(jar.header(login, now), '');
  });

  test(`the jar holds at most ${maxCookies} cookies, dropping the oldest`, () => {
    const jar = new CookieJar();
    for (let index = 0; index <= maxCookies; index += 1) jar.store(`c${index}=1`, login, now);
    const sent = jar.header(login, now).split('; ');
    assert.equal(sent.length, maxCookies);
    assert.equal(sent[0], 'c1=1');
    assert.equal(sent.at(-1), `c${maxCookies}=1`);
  });
});
