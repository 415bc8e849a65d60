// Type tests of the session classes: each sees the methods of its token type, the
// hooks receive typed errors, scopes are checked names. Compiled by test/types/compile.test.ts:
// every `@ts-expect-error` line must fail.
import {
  API,
  ApiError,
  ApiErrorCode,
  CommunityAPI,
  DirectUserAPI,
  UserAPI,
  type AuthCheck,
  type CaptchaError,
  type CommunityTokens,
  type UserToken,
} from '../../src/index.js';

const user = new UserAPI({ userLogin: 'login', userPassword: 'password', scope: ['offline', 'wall'] });
const direct = new DirectUserAPI({
  userLogin: 'login',
  userPassword: 'password',
  clientSecret: 'secret',
  scope: 65536,
});
const community = new CommunityAPI({
  userLogin: 'login',
  userPassword: 'password',
  groupIds: [123, 456],
  scope: ['messages'],
});

export async function tokenTypes(): Promise<void> {
  // A user session: user-token methods, not the community-only ones.
  await user.friends.get();
  await user.account.getProfileInfo();
  await direct.users.search({ q: 'Pavel' });
  // @ts-expect-error groups.getTokenPermissions needs a community token
  await user.groups.getTokenPermissions();
  // @ts-expect-error messages.sendMessageEventAnswer is community-only
  await direct.messages.sendMessageEventAnswer({ event_id: 'e', user_id: 1, peer_id: 1 });

  // A community session: community-token methods only.
  await community.messages.send({ group_id: 456, peer_id: 1, random_id: 1, message: 'hi' });
  await community.groups.getTokenPermissions();
  await community.users.get({ user_ids: [1] }, { groupId: 456 });
  // @ts-expect-error users.search needs a user token
  await community.users.search({ q: 'Pavel' });
  // @ts-expect-error friends.get is not callable with a community token
  await community.friends.get();
  // @ts-expect-error account methods are user-only
  await community.account.getProfileInfo();
  // call() stays the escape hatch.
  await community.call('users.search', { q: 'Pavel' });
}

export async function communityGroupId(): Promise<void> {
  // On a community session every method takes group_id, as in the seed: it picks the token.
  const users = await community.users.get({ group_id: 654321, user_ids: [1] });
  users satisfies { id: number }[];
  await community.call('users.get', { group_id: 654321, user_ids: [1] });
  await community.groups.getById({ group_id: 123 });
  // Methods without params of their own take it too.
  await community.utils.getServerTime({ group_id: 456 });
  await community.call('utils.getServerTime', { group_id: 456 });
  // The response variants are still selected by params.
  void (await community.messages.getHistory({ group_id: 123, peer_id: 1, extended: true })).profiles;
  void (await community.call('messages.getHistory', { group_id: 123, peer_id: 1, extended: true })).profiles;
  // @ts-expect-error the plain response has no profiles
  void (await community.messages.getHistory({ group_id: 123, peer_id: 1 })).profiles;
  // @ts-expect-error the plain response has no profiles
  void (await community.call('messages.getHistory', { group_id: 123, peer_id: 1 })).profiles;
  // Also where group_id only picks the token.
  void (await community.utils.getLinkStats({ group_id: 123, key: 'k', extended: true })).stats?.[0]?.sex_age;
  void (await community.call('utils.getLinkStats', { group_id: 123, key: 'k', extended: true })).stats?.[0]?.sex_age;
  // @ts-expect-error the plain stats have no sex_age
  void (await community.utils.getLinkStats({ group_id: 123, key: 'k' })).stats?.[0]?.sex_age;
  // @ts-expect-error group_id is a community id, a number
  await community.users.get({ group_id: '654321' });
  // @ts-expect-error a misspelt param is still refused
  await community.users.get({ group_id: 1, user_idz: [1] });
  // @ts-expect-error a misspelt param is still refused by call()
  await community.call('users.get', { group_id: 1, user_idz: [1] });
  // Other sessions do not take it.
  // @ts-expect-error users.get has no group_id param
  await new API().users.get({ group_id: 1, user_ids: [1] });
  // @ts-expect-error users.get has no group_id param
  await user.users.get({ group_id: 1, user_ids: [1] });
  // @ts-expect-error users.get has no group_id param
  await user.call('users.get', { group_id: 1, user_ids: [1] });
  // @ts-expect-error utils.getServerTime takes no params
  await new API().call('utils.getServerTime', { group_id: 1 });
}

export async function tokens(): Promise<void> {
  const token: UserToken = await user.authorize();
  token.accessToken satisfies string;
  token.userId satisfies number | undefined;
  token.expiresIn satisfies number | undefined;
  (await direct.authorize()) satisfies UserToken;
  const groups: CommunityTokens = await community.authorize({ signal: AbortSignal.timeout(1000) });
  groups.groupTokens[123] satisfies string | undefined;
  community.authorization satisfies CommunityTokens | undefined;
  // @ts-expect-error a community session holds no single user token
  void (await community.authorize()).accessToken;
  new UserAPI({ accessToken: 'stored-token' });
  new CommunityAPI({ groupIds: [1], groupTokens: { 1: 'stored-token' } });
}

export function options(): void {
  // @ts-expect-error not a VK scope name
  new UserAPI({ scope: ['ofline'] });
  // @ts-expect-error friends is not a community scope
  new CommunityAPI({ groupIds: [1], scope: ['friends'] });
  // @ts-expect-error groupIds is required
  new CommunityAPI({ userLogin: 'login' });
  // @ts-expect-error the token type of a session class is fixed
  new UserAPI({ tokenType: 'group' });
  // @ts-expect-error clientSecret belongs to DirectUserAPI
  new UserAPI({ clientSecret: 'secret' });
  // @ts-expect-error a community session takes groupTokens, not one accessToken
  new CommunityAPI({ groupIds: [1], accessToken: 'token' });
}

export function hooks(): void {
  new UserAPI({
    apiErrorHandlers: {
      [ApiErrorCode.Captcha]: (error, request) => {
        error satisfies ApiError;
        const code: 14 = error.code;
        error.captchaSid satisfies string | undefined;
        void code;
        return request.retry({ captcha_sid: error.captchaSid, captcha_key: 'key' });
      },
      [ApiErrorCode.TooMany]: (error) => {
        // @ts-expect-error the handler keyed by 6 gets error 6, not 14
        const code: 14 = error.code;
        return code;
      },
      // @ts-expect-error not a VK error code
      99999: () => undefined,
    },
    onApiError: (error, request) => {
      error satisfies ApiError;
      request.attempt satisfies number;
      return request.retry();
    },
    getCaptchaKey: (error: CaptchaError) => error.captchaSid ?? '',
    getAuthCheckCode: (check: AuthCheck) => `${check.attempt}`,
  });
  new DirectUserAPI({ getCaptchaKey: () => ({ successToken: 'token' }) });
  // @ts-expect-error a captcha answer is a key or { successToken }
  new DirectUserAPI({ getCaptchaKey: () => 42 });

  class Overrides extends UserAPI {
    protected override getCaptchaKey(error: CaptchaError): string {
      return error.captchaImg ?? '';
    }
    protected override getAuthCheckCode(check: AuthCheck): Promise<string> {
      return Promise.resolve(String(check.attempt));
    }
    protected override onApiError(error: ApiError): unknown {
      return error.code;
    }
  }
  void Overrides;
}
