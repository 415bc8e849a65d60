// VK's login and OAuth pages, faked on the fake API server (as more routes): the
// implicit flow's login form, captcha, 2FA, security check and grant-access pages,
// the redirects that carry tokens in fragments, and the password grant's `/token`.
// Pages are real HTML with hidden inputs; the login needs the cookies VK sets. The
// routes are mounted with `server.route()`; a test overrides one by mounting another.
//
// Hosts are path prefixes of one server: `/oauth` (oauth.vk.ru), `/m` (m.vk.ru),
// `/login` (login.vk.ru). Absolute URLs in pages use the Host the client asked for,
// so a client reaching the server through a proxy under another name stays on it.

import { randomBytes } from 'node:crypto';
import type { FakeVk } from './fake-vk.js';
import { json, RawReply, type RecordedRequest } from './replies.js';

export interface FakeAccount {
  readonly login: string;
  readonly password: string;
  readonly userId: number;
  /** The 2FA code; an account with one has 2FA on. */
  readonly authCode?: string;
  /** Communities the account manages (it gets tokens for these only). */
  readonly groups?: readonly number[];
}

/** How the fake behaves; tests change it between flows. */
export interface FakeOAuthConfig {
  accounts: FakeAccount[];
  /** client_id -> client_secret (`undefined`: an implicit-flow app). */
  clients: Map<number, string | undefined>;
  /** Captchas to answer before the login form or `/token` accepts credentials. */
  captchaRounds: number;
  /** The right captcha key. */
  captchaKey: string;
  /** Where the login redirect puts the captcha's `sid`. */
  captchaSidIn: 'query' | 'fragment';
  /** The login form's action: absolute (on the login host) or relative to the page. */
  formAction: 'absolute' | 'relative';
  /** The session cookie a successful login sets. */
  sessionCookie: 'remixsid' | 'remixsid6';
  /** The first authorization of an app shows the grant-access page. */
  grantPage: boolean;
  /** How the authorize step hands over the token: VK's redirect page with
   * `authorize_url`, a redirect straight to `blank.html#access_token=...`, or
   * (a broken VK) a redirect to `blank.html` without one. */
  tokenDelivery: 'authorize_url' | 'fragment' | 'none';
  /** The grant-access page answers as if the user pressed "Deny". */
  denyAccess: boolean;
  /** Logins end on the phone-confirmation page. */
  securityCheck: boolean;
  /** The password grant's 2FA: `code` (need_validation with a validation_type: re-send
   * with `code`) or `page` (only a redirect_uri to the validation page). */
  directTwoFactor: 'code' | 'page';
  /** The validation page asks for a captcha after a right code, this many times. */
  validationCaptchaRounds: number;
  /** Wrong codes the validation page takes before ending in `#fail=1`. */
  validationFailAfter: number;
  /** `expires_in` of the tokens issued. */
  expiresIn: number;
}

export interface IssuedToken {
  readonly userId: number;
  readonly groupId?: number;
  readonly clientId: number;
}

export interface FakeOAuth {
  readonly config: FakeOAuthConfig;
  /** Every token issued, with whom it was issued to. */
  readonly issued: Map<string, IssuedToken>;
  /** The captcha sids issued, in order. */
  readonly captchaSids: string[];
}

/** The app `UserAPI` and `CommunityAPI` log in with by default (VK Admin, implicit flow). */
export const vkAdmin = 6121396;
/** The app `DirectUserAPI` logs in with by default (VK for Android, password grant). */
export const vkForAndroid = { id: 2274003, secret: 'hHbZxrka2uZ6jB1inYsH' };

/** A fake login for `accounts` that knows the default apps: no captcha, the
 * grant-access page on first authorization, 2FA by code for accounts with `authCode`. */
export function defaultConfig(accounts: FakeAccount[]): FakeOAuthConfig {
  return {
    accounts,
    clients: new Map<number, string | undefined>([
      [vkAdmin, undefined],
      [vkForAndroid.id, vkForAndroid.secret],
    ]),
    captchaRounds: 0,
    captchaKey: 'x7k2pq',
    captchaSidIn: 'query',
    formAction: 'absolute',
    sessionCookie: 'remixsid',
    grantPage: true,
    tokenDelivery: 'authorize_url',
    denyAccess: false,
    securityCheck: false,
    directTwoFactor: 'code',
    validationCaptchaRounds: 0,
    validationFailAfter: 5,
    expiresIn: 0,
  };
}

/** A login in progress on the web form, keyed by the `remixlhk` cookie of its browser. */
interface Visitor {
  authorizeQuery: string;
  captchasLeft: number;
  captchaSid: string | undefined;
}

/** A 2FA in progress, keyed by the hash in its form's action. */
interface PendingCheck {
  kind: 'web' | 'direct';
  account: FakeAccount;
  visitor?: Visitor;
  clientId: number;
  wrongCodes: number;
  captchasLeft: number;
  captchaSid: string | undefined;
}

/**
 * Mounts VK's login and OAuth pages on `server`: point a session's `oauthBaseUrl` at
 * `${server.url}/oauth` and its `mobileBaseUrl` at `${server.url}/m`. `config` may be
 * changed between logins; `issued` tells which tokens went to whom.
 */
export function mountFakeOAuth(server: FakeVk, config: FakeOAuthConfig): FakeOAuth {
  const issued = new Map<string, IssuedToken>();
  const captchaSids: string[] = [];
  const visitors = new Map<string, Visitor>();
  const sessions = new Map<string, FakeAccount>();
  const checks = new Map<string, PendingCheck>();
  /** Grant-access pages shown, by the hash in their form's action. */
  const grantPages = new Map<string, { account: FakeAccount; clientId: number }>();
  const directCaptchas = new Map<string, { left: number; sid: string | undefined }>();
  const granted = new Set<string>();

  const origin = (request: RecordedRequest): string => `http://${request.headers.host ?? '127.0.0.1'}`;
  const newSid = (): string => {
    const sid = String(100_000_000 + captchaSids.length);
    captchaSids.push(sid);
    return sid;
  };
  const issue = (who: IssuedToken): string => {
    const token = `vk1.a.${randomBytes(24).toString('base64url')}`;
    issued.set(token, who);
    return token;
  };
  const accountByLogin = (login: string | undefined) => config.accounts.find((a) => a.login === login);

  // --- the implicit flow -------------------------------------------------------

  const authorize = (request: RecordedRequest): RawReply => {
    const params = request.params;
    const clientId = Number(params['client_id']);
    if (!params['client_id']) {
      return json({ error: 'invalid_request', error_description: 'client_id is undefined' }, 401);
    }
    if (!config.clients.has(clientId)) {
      return json({ error: 'invalid_client', error_description: 'client_id is incorrect' }, 401);
    }
    if (params['response_type'] !== 'token' || params['display'] !== 'mobile') {
      return json({ error: 'invalid_request', error_description: 'response_type and display are required' }, 400);
    }
    const account = sessions.get(cookie(request, config.sessionCookie) ?? '');
    if (account === undefined) return loginPage(request);

    const groupIds = params['group_ids'] ? params['group_ids'].split(',').map(Number) : undefined;
    const scope = params['scope'] ?? '';
    const communityScopes = ['manage', 'messages', 'photos', 'docs', 'wall', 'stories', 'app_widget'];
    if (groupIds && scope !== '' && !scope.split(',').every((name) => communityScopes.includes(name))) {
      return redirect(
        `${origin(request)}/oauth/blank.html#error=invalid_scope&error_description=${encodeURIComponent('Invalid scope')}`,
      );
    }
    const grant = `${account.userId}:${clientId}:${params['group_ids'] ?? ''}`;
    if (config.grantPage && !granted.has(grant)) {
      const hash = randomBytes(6).toString('hex');
      grantPages.set(hash, { account, clientId });
      const action = `${origin(request)}/login?act=grant_access&client_id=${clientId}&hash=${hash}&${new URLSearchParams(params)}`;
      return html(`<p>VK Admin asks for access to your account</p>
        <form method="post" action="${escape(action)}"><input type="hidden" name="unused" value="1"><button>Allow</button></form>`);
    }
    return tokenRedirect(request, account, clientId, groupIds);
  };

  const tokenRedirect = (
    request: RecordedRequest,
    account: FakeAccount,
    clientId: number,
    groupIds: number[] | undefined,
  ): RawReply => {
    const fragment = new URLSearchParams();
    if (groupIds === undefined) {
      fragment.set('access_token', issue({ userId: account.userId, clientId }));
      fragment.set('expires_in', String(config.expiresIn));
      fragment.set('user_id', String(account.userId));
    } else {
      for (const groupId of groupIds) {
        if (account.groups?.includes(groupId)) {
          fragment.set(`access_token_${groupId}`, issue({ userId: account.userId, groupId, clientId }));
        }
      }
      fragment.set('expires_in', String(config.expiresIn));
    }
    return deliver(request, fragment);
  };

  /** Redirects to the app's blank.html with `fragment`, the way `tokenDelivery` says. */
  const deliver = (request: RecordedRequest, fragment: URLSearchParams): RawReply => {
    const blank = `${origin(request)}/oauth/blank.html#${fragment}`;
    if (config.tokenDelivery === 'none') return redirect(`${origin(request)}/oauth/blank.html`);
    if (config.tokenDelivery === 'fragment') return redirect(blank);
    return redirect(`${origin(request)}/oauth/auth_redirect?${new URLSearchParams({ authorize_url: blank })}`);
  };

  const loginPage = (request: RecordedRequest, visitorId?: string): RawReply => {
    const id = visitorId ?? randomBytes(8).toString('hex');
    const query = new URL(request.url).search.slice(1) || new URLSearchParams(request.params).toString();
    if (!visitors.has(id)) {
      visitors.set(id, { authorizeQuery: query, captchasLeft: config.captchaRounds, captchaSid: undefined });
    }
    const visitor = visitors.get(id)!;
    const action =
      config.formAction === 'absolute' ? `${origin(request)}/login?act=login&soft=1` : '../login?act=login&soft=1';
    const captcha = visitor.captchaSid
      ? `<input type="hidden" name="captcha_sid" value="${visitor.captchaSid}">
         <img src="/captcha.php?sid=${visitor.captchaSid}&amp;s=1" alt="captcha"><input type="text" name="captcha_key">`
      : '';
    return html(
      `<form action="/lang" method="get"><input type="hidden" name="lang_id" value="3"><select name="lang"></select></form>
      <form method="POST" action="${escape(action)}">
        <input type="hidden" name="ip_h" value="ip${id}">
        <input type="hidden" name="lg_domain_h" value="lg${id}">
        <input type="hidden" name="_origin" value="https://oauth.vk.ru">
        <input type="hidden" name="to" value="${Buffer.from(visitor.authorizeQuery).toString('base64url')}">
        <input type="text" name="email"><input type="password" name="pass">${captcha}
        <input type="submit" value="Log in">
      </form>`,
      visitorId === undefined ? [`remixlhk=${id}; Path=/; HttpOnly`, 'remixlang=3; Path=/'] : [],
    );
  };

  // login.vk.ru: the login form's target, and the grant-access form's.
  const loginHost = (request: RecordedRequest): RawReply => {
    const act = request.query['act'];
    if (act === 'grant_access') return grantAccess(request);
    if (act === 'login') return logIn(request);
    if (act === 'login_captcha') return loginPage(request, cookie(request, 'remixlhk'));
    return new RawReply(404, 'no such act');
  };

  const logIn = (request: RecordedRequest): RawReply => {
    const id = cookie(request, 'remixlhk');
    const visitor = visitors.get(id ?? '');
    const body = request.body;
    // The hidden inputs and the cookie of the login page must come back, as VK checks.
    if (!id || !visitor || body['ip_h'] !== `ip${id}` || body['lg_domain_h'] !== `lg${id}` || !body['to']) {
      return html('<p>Security error: reload the page</p>');
    }
    const back = `${origin(request)}/oauth/authorize?${visitor.authorizeQuery}`;
    if (visitor.captchasLeft > 0) {
      const solved =
        visitor.captchaSid !== undefined &&
        body['captcha_sid'] === visitor.captchaSid &&
        body['captcha_key'] === config.captchaKey;
      if (solved) visitor.captchasLeft -= 1;
      if (visitor.captchasLeft > 0) {
        visitor.captchaSid = newSid();
        const sid = `sid=${visitor.captchaSid}`;
        return redirect(
          `${origin(request)}/login?act=login_captcha${config.captchaSidIn === 'query' ? `&${sid}` : `#${sid}`}`,
        );
      }
      visitor.captchaSid = undefined;
    }
    const account = accountByLogin(body['email']);
    if (!account || account.password !== body['pass']) {
      return redirect(`${back}&m=5&email=${encodeURIComponent(body['email'] ?? '')}`);
    }
    if (config.securityCheck) {
      return redirect(`${origin(request)}/m/login?act=security_check&api_hash=${randomBytes(6).toString('hex')}`);
    }
    if (account.authCode !== undefined) {
      const hash = randomBytes(6).toString('hex');
      checks.set(hash, {
        kind: 'web',
        account,
        visitor,
        clientId: 0,
        wrongCodes: 0,
        captchasLeft: 0,
        captchaSid: undefined,
      });
      return redirect(`${origin(request)}/oauth/login?act=authcheck&hash=${hash}`);
    }
    return startSession(account, `${origin(request)}/oauth/authorize?${visitor.authorizeQuery}`);
  };

  const startSession = (account: FakeAccount, location: string): RawReply => {
    const session = randomBytes(12).toString('hex');
    sessions.set(session, account);
    return new RawReply(302, '', {
      location,
      'set-cookie': [`${config.sessionCookie}=${session}; Path=/; HttpOnly`, 'remixlhk=; Path=/; Max-Age=0'],
    });
  };

  const grantAccess = (request: RecordedRequest): RawReply => {
    const check = grantPages.get(request.query['hash'] ?? '');
    if (!check || request.rawBody !== '') return html('<p>Access denied</p>');
    grantPages.delete(request.query['hash'] ?? '');
    if (config.denyAccess) {
      return deliver(
        request,
        new URLSearchParams({ error: 'access_denied', error_description: 'User denied your request' }),
      );
    }
    const groupIds = request.query['group_ids'] ? request.query['group_ids'].split(',').map(Number) : undefined;
    granted.add(`${check.account.userId}:${check.clientId}:${request.query['group_ids'] ?? ''}`);
    return tokenRedirect(request, check.account, check.clientId, groupIds);
  };

  // --- 2FA and validation pages (oauth.vk.ru/login for the web login, m.vk.ru/login
  // for the password grant's validation page) ------------------------------------

  const checkPage =
    (kind: PendingCheck['kind']) =>
    (request: RecordedRequest): RawReply => {
      const act = request.query['act'];
      if (act === 'security_check') {
        return html(
          '<p>Confirm your phone number</p><form action="/login?act=security_check"><input name="code"></form>',
        );
      }
      const hash = request.query['hash'] ?? request.query['api_hash'] ?? '';
      const check = checks.get(hash);
      // A code posted to the other host's form finds nothing: the flows must use the right base URL.
      if (!check || check.kind !== kind) return new RawReply(404, 'no such check');
      if (act === 'authcheck') {
        const action = `/login?act=authcheck_code&hash=${hash}`;
        const error = request.query['m'] === 'wrong' ? '<p class="error">Wrong code</p>' : '';
        return html(`${error}<form method="post" action="${escape(action)}">
        <input type="hidden" name="remember" value="1"><input type="text" name="code"><button>Confirm</button></form>`);
      }
      if (act === 'authcheck_code' && request.httpMethod === 'POST') return submitCode(request, hash, check);
      return new RawReply(404, 'no such act');
    };

  const submitCode = (request: RecordedRequest, hash: string, check: PendingCheck): RawReply => {
    const base = `${origin(request)}/${check.kind === 'web' ? 'oauth' : 'm'}/login`;
    if (check.captchaSid !== undefined) {
      if (request.body['captcha_sid'] === check.captchaSid && request.body['captcha_key'] === config.captchaKey) {
        check.captchasLeft -= 1;
      }
      check.captchaSid = undefined;
    } else if (request.body['code'] !== check.account.authCode) {
      check.wrongCodes += 1;
      if (check.kind === 'direct' && check.wrongCodes >= config.validationFailAfter) {
        return redirect(`${origin(request)}/oauth/blank.html#fail=1`);
      }
      return redirect(`${base}?act=authcheck&hash=${hash}&m=wrong`);
    }
    if (check.captchasLeft > 0) {
      check.captchaSid = newSid();
      return html(`<form method="post" action="/login?act=authcheck_code&hash=${hash}">
        <input type="hidden" name="code" value="${escape(request.body['code'] ?? '')}">
        <input type="hidden" name="captcha_sid" value="${check.captchaSid}">
        <img src="/captcha.php?sid=${check.captchaSid}"><input type="text" name="captcha_key"></form>`);
    }
    checks.delete(hash);
    if (check.kind === 'web') {
      return startSession(check.account, `${origin(request)}/oauth/authorize?${check.visitor?.authorizeQuery ?? ''}`);
    }
    const token = issue({ userId: check.account.userId, clientId: check.clientId });
    return redirect(
      `${origin(request)}/oauth/blank.html#access_token=${token}&expires_in=${config.expiresIn}&user_id=${check.account.userId}`,
    );
  };

  // --- the password grant -------------------------------------------------------

  const token = (request: RecordedRequest): RawReply => {
    const params = request.body;
    if (params['grant_type'] !== 'password') {
      return json({ error: 'unsupported_grant_type', error_description: 'grant_type is not supported' }, 400);
    }
    const clientId = Number(params['client_id']);
    if (!params['client_id']) {
      return json({ error: 'invalid_client', error_description: 'client_id is undefined' }, 401);
    }
    if (!config.clients.has(clientId)) {
      return json({ error: 'invalid_client', error_description: 'client_id is incorrect' }, 401);
    }
    if (config.clients.get(clientId) !== params['client_secret']) {
      return json({ error: 'invalid_client', error_description: 'client_secret is incorrect' }, 401);
    }
    const username = params['username'] ?? '';
    const captcha = directCaptchas.get(username) ?? { left: config.captchaRounds, sid: undefined };
    directCaptchas.set(username, captcha);
    if (captcha.left > 0) {
      if (
        captcha.sid !== undefined &&
        params['captcha_sid'] === captcha.sid &&
        params['captcha_key'] === config.captchaKey
      )
        captcha.left -= 1;
      if (captcha.left > 0) {
        captcha.sid = newSid();
        return json(
          {
            error: 'need_captcha',
            captcha_sid: captcha.sid,
            captcha_img: `${origin(request)}/captcha.php?sid=${captcha.sid}&s=1`,
          },
          401,
        );
      }
    }
    const account = accountByLogin(username);
    if (!account || account.password !== params['password']) {
      return json(
        {
          error: 'invalid_client',
          error_description: 'Username or password is incorrect',
          error_type: 'username_or_password_is_incorrect',
        },
        401,
      );
    }
    if (config.securityCheck) {
      return json(
        {
          error: 'need_validation',
          error_description: 'please open redirect_uri in browser',
          redirect_uri: `${origin(request)}/m/login?act=security_check`,
        },
        401,
      );
    }
    if (account.authCode !== undefined && params['code'] !== account.authCode) {
      if (params['code'] !== undefined && config.directTwoFactor === 'code') {
        return json({ error: 'invalid_request', error_description: 'Wrong code', error_type: 'wrong_otp' }, 401);
      }
      const hash = randomBytes(6).toString('hex');
      checks.set(hash, {
        kind: 'direct',
        account,
        clientId,
        wrongCodes: 0,
        captchasLeft: config.validationCaptchaRounds,
        captchaSid: undefined,
      });
      return json(
        {
          error: 'need_validation',
          error_description: 'use app code',
          ...(config.directTwoFactor === 'code'
            ? { validation_type: '2fa_app', validation_sid: hash, phone_mask: '+7 *** *** ** 12' }
            : {}),
          redirect_uri: `${origin(request)}/m/login?act=authcheck&api_hash=${hash}`,
        },
        401,
      );
    }
    return json({
      access_token: issue({ userId: account.userId, clientId }),
      expires_in: config.expiresIn,
      user_id: account.userId,
    });
  };

  server.route('/oauth/authorize', authorize);
  server.route('/oauth/token', token);
  server.route('/login', loginHost);
  server.route('/oauth/login', checkPage('web'));
  server.route('/m/login', checkPage('direct'));
  server.route(/^\/oauth\/(blank\.html|auth_redirect)$/, () => html('<p>Please wait...</p>'));
  return { config, issued, captchaSids };
}

function html(body: string, cookies: readonly string[] = []): RawReply {
  const headers: Record<string, string | readonly string[]> = { 'content-type': 'text/html; charset=utf-8' };
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return new RawReply(200, `<!DOCTYPE html><html><body>${body}</body></html>`, headers);
}

function redirect(location: string): RawReply {
  return new RawReply(302, '', { location });
}

function cookie(request: RecordedRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
