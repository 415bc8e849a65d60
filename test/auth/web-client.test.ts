// The login flows' browser and form reader, on their own: redirects followed by hand
// (fragments kept, relative Locations resolved, methods as browsers change them),
// cookies in a real jar, and forms read with a real HTML parser.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { AuthError } from '../../src/index.js';
import { findForm, formTarget } from '../../src/auth/html-form.js';
import { WebClient } from '../../src/auth/web-client.js';
import { RawReply, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

let server: FakeVk;
const agent = new Agent();
const web = () => new WebClient({ dispatcher: agent, timeout: 5000, secrets: [] });
const redirect = (status: number, location: string, headers: Record<string, string | string[]> = {}) =>
  new RawReply(status, '', { location, ...headers });

before(async () => {
  server = await startFakeVk();
  server.route('/a', () => redirect(302, 'b#token=abc'));
  server.route('/b', () => redirect(302, '/c?x=1'));
  server.route('/c', () => new RawReply(200, 'done', { 'content-type': 'text/html' }));
  server.route('/post303', () => redirect(303, '/echo'));
  server.route('/post307', () => redirect(307, '/echo'));
  server.route('/echo', (request) => new RawReply(200, `${request.httpMethod} ${request.rawBody}`));
  server.route('/set', () =>
    redirect(302, '/check', { 'set-cookie': ['remixsid=s1; Path=/; HttpOnly', 'remixsid6=s2; Path=/'] }),
  );
  // How VK logs out: the cookie is overwritten with one that expired long ago.
  server.route(
    '/unset',
    () => new RawReply(200, '', { 'set-cookie': 'remixsid6=DELETED; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT' }),
  );
  server.route('/check', (request) => new RawReply(200, request.headers.cookie ?? ''));
  server.route('/loop', () => redirect(302, '/loop'));
  server.route('/bad-location', () => redirect(302, 'http://[oops/'));
});

after(async () => {
  await agent.close();
  await server.close();
});

describe('WebClient', () => {
  test('follows redirects by hand: relative Locations resolved, the fragment kept across later redirects', async () => {
    const page = await web().get(`${server.url}/a`, 'login');
    assert.equal(page.url.href, `${server.url}/c?x=1#token=abc`);
    assert.equal(page.body, 'done');
  });

  test('303 turns a POST into a GET; 307 repeats the POST with its body', async () => {
    const form = new URLSearchParams({ a: '1' });
    assert.equal((await web().post(`${server.url}/post303`, form, 'login')).body, 'GET ');
    assert.equal((await web().post(`${server.url}/post307`, form, 'login')).body, 'POST a=1');
  });

  test('keeps cookies set on redirects and sends them on; expired ones are gone', async () => {
    const client = web();
    const page = await client.get(`${server.url}/set`, 'login');
    assert.equal(page.body, 'remixsid=s1; remixsid6=s2');
    assert.equal(client.hasCookie('remixsid6'), true);
    await client.get(`${server.url}/unset`, 'login');
    assert.equal(client.hasCookie('remixsid6'), false);
    assert.equal(client.hasCookie('remixsid'), true);
    assert.equal(web().hasCookie('remixsid'), false, 'each client has its own jar');
  });

  test('a redirect loop is a TOO_MANY_REDIRECTS AuthError after 10 redirects', { timeout: 10_000 }, async () => {
    const before = server.requests.length;
    const error = await web()
      .get(`${server.url}/loop`, 'grant access')
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, 'TOO_MANY_REDIRECTS');
    assert.equal(error.step, 'grant access');
    assert.equal(server.requests.length - before, 11);
  });

  test('a Location that is no URL is an UNEXPECTED_RESPONSE AuthError, not a TypeError', async () => {
    const error = await web()
      .get(`${server.url}/bad-location`, 'login')
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, 'UNEXPECTED_RESPONSE');
  });
});

describe('forms', () => {
  const page = `<html><body>
    <form action="/search"><input name="q"></form>
    <form method="POST" action="https://login.vk.ru/?act=login&amp;soft=1">
      <input type="hidden" name="ip_h" value="a&amp;b">
      <INPUT TYPE="HIDDEN" name="to" value='dG8='>
      <input type="text" name="email" value="ignored">
      <input type="hidden" name="captcha_sid" value="77">
      <img src="/captcha.php?sid=77&amp;s=1">
    </form></body></html>`;

  test('the form with the wanted inputs: action and hidden inputs decoded, the captcha found', () => {
    const form = findForm(page, ['email', 'pass']);
    assert.equal(form?.action, 'https://login.vk.ru/?act=login&soft=1');
    assert.deepEqual(
      [...(form?.hidden ?? [])],
      [
        ['ip_h', 'a&b'],
        ['to', 'dG8='],
        ['captcha_sid', '77'],
      ],
    );
    assert.equal(form?.captchaSid, '77');
    assert.equal(form?.captchaImg, '/captcha.php?sid=77&s=1');
    assert.equal(findForm(page)?.action, '/search', 'without wanted inputs: the first form');
    assert.equal(findForm(page, ['code']), undefined);
  });

  test('parsed as a browser would: unclosed tags, inputs in a table, and a page nested 100,000 deep', () => {
    const loose = `<form action="/login"><table><tr><td><input type=hidden name=lg_h value=x1><input name=pass></table></form>`;
    assert.deepEqual([...(findForm(loose, ['pass'])?.hidden ?? [])], [['lg_h', 'x1']]);
    const depth = 100_000;
    const deep = `${'<div>'.repeat(depth)}<form action="/deep"><input type="hidden" name="h" value="1"></form>${'</div>'.repeat(depth)}`;
    assert.equal(findForm(deep)?.action, '/deep');
  });

  test('where a form posts: absolute as is, root-relative onto a base, else against the page', () => {
    const pageUrl = new URL('https://oauth.vk.ru/oauth/authorize?x=1#frag');
    const target = (action: string | undefined, base?: string) =>
      formTarget(
        { action, hidden: new URLSearchParams(), captchaSid: undefined, captchaImg: undefined },
        pageUrl,
        'login',
        base,
      ).href;
    assert.equal(target('https://login.vk.ru/?act=login'), 'https://login.vk.ru/?act=login');
    assert.equal(
      target('/login?act=authcheck_code', 'http://127.0.0.1:1/m'),
      'http://127.0.0.1:1/m/login?act=authcheck_code',
    );
    assert.equal(target('/login?act=authcheck_code'), 'https://oauth.vk.ru/login?act=authcheck_code');
    assert.equal(target('../login?act=login'), 'https://oauth.vk.ru/login?act=login');
    assert.equal(
      target(undefined),
      'https://oauth.vk.ru/oauth/authorize?x=1',
      'no action: the page itself, without its fragment',
    );
    assert.equal(target('//other.host/x', 'http://127.0.0.1:1/m'), 'https://other.host/x');
    assert.throws(
      () => target('http://[oops/'),
      (error) => error instanceof AuthError && error.code === 'UNEXPECTED_RESPONSE',
    );
  });
});
