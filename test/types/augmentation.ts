// Type tests of extending the types in one's own code, for what VK sends or accepts
// before the schema has it: a `fields` value and a response property, each added by
// declaration merging, no cast. Compiled by test/types/compile.test.ts.
import { API } from '../../src/index.js';

declare module '../../src/index.js' {
  // A users field VK returns that the schema does not list yet.
  interface UsersFieldsExtension {
    is_dead_or_alive: true;
  }
  interface UsersUserFull {
    is_dead_or_alive?: 0 | 1;
  }
}

const api = new API({ accessToken: 'token' });

export async function augmented(): Promise<void> {
  const [user] = await api.users.get({ user_ids: [1], fields: ['is_dead_or_alive', 'city'] });
  const alive: 0 | 1 | undefined = user?.is_dead_or_alive;
  // @ts-expect-error a value nobody added is still refused
  await api.users.get({ user_ids: [1], fields: ['is_alive_or_dead'] });
  // @ts-expect-error closed enums stay closed: name_case has no such case
  await api.users.get({ user_ids: [1], name_case: 'vocative' });
  return void alive;
}
