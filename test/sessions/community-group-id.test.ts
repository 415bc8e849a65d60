// CommunityAPI takes `group_id` on any method, as the seed does: it picks the token,
// and is sent to VK only when the method has a group_id param of its own.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, CommunityAPI, ValidationError, type CommunityAPIOptions } from '../../src/index.js';
import { apiCalls, fakeVk, rejection, secret, track, useAuthFixtures, type Fixture } from '../support/auth-fixture.js';
import { FakeApiError } from '../../src/testing/fake-vk.js';

useAuthFixtures();

function communityApi(fixture: Fixture, options: Partial<CommunityAPIOptions> = {}): CommunityAPI {
  const groupTokens = {
    123: secret('vk1.a.group-123-token-for-group-id'),
    456: secret('vk1.a.group-456-token-for-group-id'),
  };
  return track(new CommunityAPI({ groupIds: [123, 456], groupTokens, rateLimit: false, ...fixture.urls, ...options }));
}

const groupOf = (token: string | undefined) => /group-(\d+)-token/.exec(token ?? '')?.[1];

describe('CommunityAPI: group_id on any method', () => {
  test('on a method without group_id: picks the token, and is not sent', async () => {
    const fixture = await fakeVk();
    const api = communityApi(fixture);
    await api.users.get({ group_id: 456, user_ids: [1] });
    await api.call('users.get', { group_id: 456, user_ids: [2] });
    await api.utils.getServerTime({ group_id: 456 });
    await api.users.get({ user_ids: [3] });

    const calls = apiCalls(fixture);
    assert.deepEqual(
      calls.map((call) => groupOf(call.token)),
      ['456', '456', '456', '123'],
    );
    for (const call of calls) assert.equal(call.params['group_id'], undefined, `${call.method} got no group_id`);
    assert.deepEqual(
      calls.map((call) => call.params['user_ids']),
      ['1', '2', undefined, '3'],
    );
  });

  test('on a method that takes group_id: picks the token, and is sent', async () => {
    const fixture = await fakeVk();
    fixture.server.reply('groups.getById', { groups: [{ id: 456, name: 'Club' }] });
    fixture.server.reply('messages.send', 1);
    const api = communityApi(fixture);
    await api.groups.getById({ group_id: 456 });
    await api.messages.send({ group_id: 456, peer_id: 1, random_id: 1, message: 'hi' });

    const calls = apiCalls(fixture);
    assert.deepEqual(
      calls.map((call) => [call.method, groupOf(call.token), call.params['group_id']]),
      [
        ['groups.getById', '456', '456'],
        ['messages.send', '456', '456'],
      ],
    );
  });

  test('a group the session holds no token for: GROUP_NOT_AUTHORIZED, and nothing is sent', async () => {
    const fixture = await fakeVk();
    const error = await rejection(communityApi(fixture).users.get({ group_id: 789, user_ids: [1] }));
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    assert.equal(error.code, 'GROUP_NOT_AUTHORIZED');
    assert.match(error.message, /users\.get: no token for group_id 789/);
    assert.equal(fixture.server.requests.length, 0);
  });

  test('params validation (on by default) takes group_id, and still refuses a misspelt param', async () => {
    const fixture = await fakeVk();
    const api = communityApi(fixture);
    await api.users.get({ group_id: 123, user_ids: [1], fields: ['sex'] });
    const misspelt = { group_id: 123, user_idz: [1] } as Parameters<CommunityAPI['users']['get']>[0];
    const error = await rejection(api.users.get(misspelt));
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.deepEqual(
      error.problems.map((problem) => problem.path),
      ['user_idz'],
    );
    assert.equal(apiCalls(fixture).length, 1);
  });

  test('a call re-sent after an error VK answered still leaves group_id out', async () => {
    const fixture = await fakeVk();
    let attempts = 0;
    fixture.server.reply('users.get', () =>
      ++attempts === 1
        ? new FakeApiError({ error_code: 14, error_msg: 'Captcha needed', captcha_sid: '1' })
        : [{ id: 1 }],
    );
    const api = communityApi(fixture, { getCaptchaKey: () => secret('captcha-key-for-group-id') });
    await api.users.get({ group_id: 456, user_ids: [1] });

    const calls = apiCalls(fixture);
    assert.equal(calls.length, 2);
    for (const call of calls) {
      assert.equal(groupOf(call.token), '456');
      assert.equal(call.params['group_id'], undefined);
    }
    assert.equal(calls[1]?.params['captcha_sid'], '1');
  });
});
