// CommunityAPI: the implicit flow for communities against the fake VK, one token per
// group, and the token each call picks by its group_id.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, CommunityAPI, type AuthErrorCode, type CommunityAPIOptions } from '../../src/index.js';
import { apiCalls, bob, fakeVk, rejection, track, useAuthFixtures, type Fixture } from '../support/auth-fixture.js';

useAuthFixtures();

function communityApi(fixture: Fixture, options: Partial<CommunityAPIOptions> = {}): CommunityAPI {
  return track(
    new CommunityAPI({
      userLogin: bob.login,
      userPassword: bob.password,
      getAuthCheckCode: () => bob.authCode ?? '',
      groupIds: [123, 456],
      ...fixture.urls,
      ...options,
    }),
  );
}

async function authError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await rejection(promise);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('CommunityAPI', () => {
  test('gets one token per group; each call uses the token of its group_id, else the first group', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('messages.send', 1);
    const api = communityApi(fixture, { scope: ['messages', 'manage'] });
    await api.messages.send({ group_id: 456, peer_id: 1, random_id: 1, message: 'hi' });
    await api.messages.send({ peer_id: 1, random_id: 2, message: 'hi' });
    await api.call('messages.send', { group_id: 123, peer_id: 1, random_id: 3 });
    // Methods without a group_id param pick the community by a call option.
    await api.users.get({ user_ids: [1] }, { groupId: 456 });

    const groupOf = (token: string | undefined) => fixture.oauth.issued.get(token ?? '')?.groupId;
    const calls = apiCalls(fixture);
    assert.deepEqual(
      calls.map((call) => groupOf(call.token)),
      [456, 123, 123, 456],
    );
    assert.equal(calls[3]?.params['group_id'], undefined);
    assert.equal(calls[0]?.params['group_id'], '456', 'group_id is still sent to VK');
    assert.deepEqual(Object.keys(api.authorization?.groupTokens ?? {}), ['123', '456']);
    assert.equal(api.authorization?.expiresIn, 0);

    const login = fixture.server.requests.find((request) => request.path === '/oauth/authorize');
    assert.deepEqual(login?.query, {
      client_id: '6121396',
      display: 'mobile',
      response_type: 'token',
      scope: 'messages,manage',
      group_ids: '123,456',
    });
  });

  test('no scope by default', async () => {
    const fixture = await fakeVk();
    await communityApi(fixture).authorize();
    const login = fixture.server.requests.find((request) => request.path === '/oauth/authorize');
    assert.equal(login?.query['scope'], undefined);
  });

  test('a group_id the session has no token for: a clear error, before any login', async () => {
    const fixture = await fakeVk();
    const error = await authError(
      communityApi(fixture).call('messages.send', { group_id: 789, peer_id: 1, random_id: 1 }),
      'GROUP_NOT_AUTHORIZED',
    );
    assert.equal(
      error.message,
      '[GROUP_NOT_AUTHORIZED] call: messages.send: no token for group_id 789 (this session holds tokens for groups 123, 456)',
    );
    assert.equal(fixture.server.requests.length, 0);
  });

  test('a group the account does not manage gets no token: TOKEN_MISSING naming it', async () => {
    const fixture = await fakeVk();
    const error = await authError(communityApi(fixture, { groupIds: [123, 999] }).authorize(), 'TOKEN_MISSING');
    assert.match(error.message, /no token for group\(s\) 999/);
  });

  test('stored groupTokens that cover every group skip the login', async () => {
    const fixture = await fakeVk();
    const groupTokens = { 123: 'vk1.a.stored-group-123-token', 456: 'vk1.a.stored-group-456-token' };
    const api = communityApi(fixture, { groupTokens });
    await api.utils.getServerTime();
    await api.utils.getServerTime({}, { groupId: 456 });
    assert.deepEqual(
      apiCalls(fixture).map((call) => call.token),
      [groupTokens[123], groupTokens[456]],
    );
    assert.equal(fixture.server.requests.filter((request) => !request.path.startsWith('/method/')).length, 0);

    const partial = communityApi(fixture, { groupTokens: { 123: groupTokens[123] } });
    await partial.authorize();
    assert.ok(
      fixture.oauth.issued.has(partial.authorization?.groupTokens[456] ?? ''),
      'stored tokens for only some groups: log in',
    );
  });

  test('a user-only scope for a community: the OAuth error from the fragment', async () => {
    const fixture = await fakeVk();
    const error = await authError(communityApi(fixture, { scope: 'friends' }).authorize(), 'OAUTH_ERROR');
    assert.equal(error.errorDescription, 'Invalid scope');
  });

  test('groupIds must list community ids', () => {
    assert.throws(() => new CommunityAPI({ groupIds: [] }), RangeError);
    assert.throws(() => new CommunityAPI({ groupIds: [-5] }), RangeError);
  });
});
