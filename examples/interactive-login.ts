// `npm run example:interactive-login`: a UserAPI login in interactive mode, which asks
// on the terminal for what it was not given: the login, the password (not echoed), a
// captcha's key, the 2FA code. With VK_LOGIN (and VK_PASSWORD, else it is asked) set
// it logs in to VK; without them, to a fake VK login (vk-typed/testing) whose account
// has 2FA on and which asks for one captcha: the answers are printed first.

import { AuthError, UserAPI, type UserAPIOptions } from '../src/index.js';
import { defaultOAuthConfig, mountFakeOAuth, startFakeVk, type FakeAccount, type FakeVk } from '../src/testing/index.js';

const account: FakeAccount = { login: 'alice@example.com', password: 'fake-password', userId: 1001, authCode: '123456' };

/** The fake: VK's login pages for `account`, one captcha first, and users.get for the tokens it issues. */
async function startFake(): Promise<FakeVk> {
  const vk = await startFakeVk();
  const oauth = mountFakeOAuth(vk, { ...defaultOAuthConfig([account]), captchaRounds: 1 });
  vk.handle('users.get', (_params, call) => {
    const id = oauth.issued.get(call.token ?? '')?.userId ?? 0;
    return [{ id, first_name: 'Alice', last_name: 'Example' }];
  });
  console.log(`Fake VK at ${vk.url} (set VK_LOGIN to log in to VK)`);
  console.log(
    `Its answers: login ${account.login}, password ${account.password}, captcha key ${oauth.config.captchaKey}, code ${account.authCode}\n`,
  );
  return vk;
}

const login = process.env['VK_LOGIN'];
await using vk = login === undefined ? await startFake() : undefined;
const urls: UserAPIOptions =
  vk === undefined ? {} : { apiBaseUrl: vk.apiBaseUrl, oauthBaseUrl: `${vk.url}/oauth`, mobileBaseUrl: `${vk.url}/m` };
const api = new UserAPI({
  userLogin: login,
  userPassword: process.env['VK_PASSWORD'],
  scope: ['offline'],
  interactive: true,
  ...urls,
});
try {
  const { userId } = await api.authorize();
  const [me] = await api.users.get({});
  // The token stays inside the session: printing `api` shows it censored.
  console.log(`\nLogged in as ${me?.first_name} ${me?.last_name} (id ${userId})`);
} catch (error) {
  // AuthError says which step failed (wrong password, captcha, 2FA); secrets censored.
  console.error(error instanceof AuthError ? `\nLogin failed (${error.code}): ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await api.close();
}
