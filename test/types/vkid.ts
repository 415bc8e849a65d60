// Type tests of VK ID: the session is a user session with every section, its options
// take VK ID tokens (those of an exchange or a refresh fit as they are) and no plain
// token, and the authorize options are checked names. Compiled by
// test/types/compile.test.ts: every `@ts-expect-error` line must fail.
import { ApiError, AuthError } from '../../src/index.js';
import { loginWithLoopback } from '../../src/vkid/loopback.js';
import type { VKIDSessionTokens, VKIDTokens } from '../../src/vkid/tokens.js';
import { VKID } from '../../src/vkid/vkid.js';
import { VKIDUserAPI } from '../../src/vkid/vkid-user-api.js';

const vkid = new VKID({ clientId: 51234567, redirectUri: 'https://app.example.com/cb', scope: ['email', 'phone'] });
// @ts-expect-error clientId is a number
new VKID({ clientId: '51234567', redirectUri: 'https://app.example.com/cb' });
// @ts-expect-error redirectUri is required
new VKID({ clientId: 51234567 });

export async function login(code: string, deviceId: string, state: string, codeVerifier: string): Promise<void> {
  const { url, state: issued, codeVerifier: verifier } = vkid.authorizationUrl({ scope: 'wall groups', prompt: ['login'], langId: 3 });
  const _strings: [string, string, string] = [url, issued, verifier];
  // @ts-expect-error prompt takes VK ID's names only
  vkid.authorizationUrl({ prompt: 'logn' });
  // @ts-expect-error langId is VK's number, not a language tag
  vkid.authorizationUrl({ langId: 'en' });

  const tokens: VKIDTokens = await vkid.exchangeCode({ code, deviceId, state, codeVerifier });
  const _refresh: string = tokens.refreshToken;
  const _expiresAt: number | undefined = tokens.expiresAt;
  // @ts-expect-error the ID token may be missing
  const _idToken: string = tokens.idToken;
  // @ts-expect-error exchangeCode needs the verifier
  await vkid.exchangeCode({ code, deviceId, state });

  const api = new VKIDUserAPI({ vkid, tokens, onTokens: async (rotated) => save(rotated), batching: true });
  await api.friends.get();
  await api.users.get({ user_ids: [1] });
  // @ts-expect-error a user session: no community-only methods
  await api.groups.getTokenPermissions();
  // @ts-expect-error the token comes from `tokens`, not an accessToken option
  new VKIDUserAPI({ vkid, tokens, accessToken: 'vk1.a.token' });
  // @ts-expect-error tokens need the refresh token and the device id
  new VKIDUserAPI({ vkid, tokens: { accessToken: 'vk2.a.token' } });
  // @ts-expect-error onTokens receives the tokens, not a string
  new VKIDUserAPI({ vkid, tokens, onTokens: (rotated: string) => void rotated });

  const current: VKIDSessionTokens = api.tokens;
  // @ts-expect-error the session's tokens are read-only
  api.tokens = current;

  const user = await vkid.userInfo({ accessToken: tokens.accessToken });
  const _id: string = user.user_id;
  await vkid.refresh({ refreshToken: tokens.refreshToken, deviceId: tokens.deviceId, scope: ['email'] });
  // @ts-expect-error refresh needs the device id
  await vkid.refresh({ refreshToken: tokens.refreshToken });

  const fromCli: VKIDTokens = await loginWithLoopback({ clientId: 51234567, port: 8765, openBrowser: true });
  // @ts-expect-error the loopback helper picks its own redirect URL
  await loginWithLoopback({ clientId: 51234567, redirectUri: 'https://app.example.com/cb' });
  void fromCli;
}

function save(tokens: VKIDTokens): void {
  void tokens;
}

export function errors(error: unknown): string | undefined {
  if (error instanceof AuthError && error.code === 'OAUTH_ERROR') return error.errorDescription;
  if (error instanceof ApiError) return error.errorMsg;
  return undefined;
}
