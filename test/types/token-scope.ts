// Type tests of token-type narrowing: a session typed for a token type shows
// only the methods the schema's access_token_type lets that token call.
import { API } from '../../src/index.js';

const community = new API({ accessToken: 'group-token', tokenType: 'group' });
const service = new API({ accessToken: 'service-token', tokenType: 'service' });
const anyToken = new API({ accessToken: 'token' });

export async function scopes(): Promise<void> {
  await community.messages.send({ peer_id: 1, random_id: 1, message: 'hi' });
  await community.users.get({ user_ids: [1] });
  // @ts-expect-error users.search needs a user token
  await community.users.search({ q: 'Pavel' });
  // @ts-expect-error friends.get is not callable with a community token
  await community.friends.get();
  // @ts-expect-error account methods are user-only
  await community.account.getProfileInfo();
  // call() stays the escape hatch: every method, still typed.
  await community.call('users.search', { q: 'Pavel' });

  await service.users.getFollowers({ user_id: 1 });
  // @ts-expect-error messages.send is not callable with a service token
  await service.messages.send({ peer_id: 1, random_id: 1 });

  // Without tokenType, every method.
  await anyToken.users.search({ q: 'Pavel' });
  await anyToken.messages.send({ peer_id: 1, random_id: 1 });
}
