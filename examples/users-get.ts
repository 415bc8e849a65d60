// `npm run example:users-get -- [id or screen name ...]`: users.get with a few fields,
// typed from the schema. With VK_TOKEN set it asks VK; without it, a fake VK on
// 127.0.0.1 (vk-typed/testing) that knows two users.

import { API, ApiError, type UsersUserFull } from '../src/index.js';
import { startFakeVk, type FakeVk } from '../src/testing/index.js';

const ids = process.argv.length > 2 ? process.argv.slice(2) : ['1', '2'];

/** users.get on the fake: a user per known id or screen name, as VK answers. */
async function startFake(): Promise<FakeVk> {
  const fake = await startFakeVk();
  const known: UsersUserFull[] = [
    { id: 1, first_name: 'Pavel', last_name: 'Durov', screen_name: 'durov', city: { id: 2, title: 'Saint Petersburg' } },
    { id: 2, first_name: 'Alexandra', last_name: 'Vladimirova', screen_name: 'id2' },
  ];
  fake.handle('users.get', (params) =>
    (params.user_ids ?? [1]).flatMap((id) => known.filter((user) => user.id === Number(id) || user.screen_name === id)),
  );
  console.log(`Fake VK at ${fake.url} (set VK_TOKEN to ask VK)`);
  return fake;
}

const token = process.env['VK_TOKEN'];
await using fake = token === undefined ? await startFake() : undefined;
const api = new API({ accessToken: token ?? 'fake-token', apiBaseUrl: fake?.apiBaseUrl, lang: 'en' });
try {
  // Numbers stay numbers; screen names are strings: user_ids takes both.
  const userIds = ids.map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  const users = await api.users.get({ user_ids: userIds, fields: ['screen_name', 'city'] });
  for (const user of users) {
    console.log(`${user.id}: ${user.first_name} ${user.last_name} (@${user.screen_name ?? '-'}, ${user.city?.title ?? 'no city'})`);
  }
  console.log(`${users.length} of ${ids.length} found`);
} catch (error) {
  // An ApiError's message has the token censored: safe to print.
  console.error(error instanceof ApiError ? `VK error ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await api.close();
}
