// `npm run demo`: a few typed calls. With VK_TOKEN set they go to the real VK API;
// without it, to the fake VK server on 127.0.0.1 with canned replies.

import {
  API,
  ApiError,
  type GroupsGroupFull,
  type UsersUserFull,
  type WallGetExtendedResponse,
} from '../src/index.js';
import { startFakeVk, type FakeVk } from '../src/testing/index.js';

const durov = {
  id: 1,
  first_name: 'Pavel',
  last_name: 'Durov',
  screen_name: 'durov',
  city: { id: 2, title: 'Saint Petersburg' },
  photo_100: 'https://sun1-00.userapi.com/durov_100.jpg',
  verified: 1,
} satisfies UsersUserFull;

const team = {
  id: 22822305,
  name: 'VK Team',
  screen_name: 'team',
  is_closed: 0,
  type: 'page',
} satisfies GroupsGroupFull;

const durovWall = {
  count: 1,
  items: [
    {
      inner_type: 'wall_wallpost',
      id: 1337,
      owner_id: 1,
      from_id: 1,
      date: 1_700_000_000,
      text: 'Hello from the fake wall',
      likes: { count: 100_500, user_likes: 0, can_like: 1 },
    },
  ],
  profiles: [durov],
  groups: [team],
} satisfies WallGetExtendedResponse;

async function demoFake(): Promise<void> {
  const token = 'demo.token.0123456789abcdef';
  const server: FakeVk = await startFakeVk({ tokens: [token] });
  server.reply('users.get', (params) => (params['user_ids'] === '1' || params['user_ids'] === 'durov' ? [durov] : []));
  server.reply('wall.get', (params) => (params['extended'] === '1' ? durovWall : { count: durovWall.count, items: durovWall.items }));
  server.reply('utils.getServerTime', () => Math.floor(Date.now() / 1000));
  server.replyError('messages.send', { error_code: 14, error_msg: 'Captcha needed', captcha_sid: '548957190', captcha_img: `${server.url}/captcha.php?sid=548957190` });

  const api = new API({ accessToken: token, apiBaseUrl: server.apiBaseUrl, lang: 'en' });
  try {
    console.log(`Fake VK server at ${server.url} (set VK_TOKEN to call the real API)\n`);

    const [user] = await api.users.get({ user_ids: [1], fields: ['city', 'photo_100', 'screen_name'] });
    console.log('users.get:', user?.first_name, user?.last_name, `(@${user?.screen_name}, ${user?.city?.title})`);

    const wall = await api.wall.get({ domain: 'durov', extended: true, count: 1 });
    const [post] = wall.items;
    const author = wall.profiles.find((profile) => profile.id === post?.from_id);
    console.log(`wall.get: ${wall.count} post(s); "${post?.text}" by ${author?.first_name}, ${post?.likes?.count} likes`);
    console.log('          groups in the reply:', wall.groups.map((group) => group.name).join(', '));

    const time = await api.utils.getServerTime();
    console.log('utils.getServerTime:', new Date(time * 1000).toISOString());

    const sameUsers = await api.call('users.get', { user_ids: ['durov'] });
    console.log('call("users.get"):', sameUsers.map((u) => u.id));

    try {
      await api.messages.send({ peer_id: 1, random_id: 0, message: 'hi' });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      console.log('\nApiError example:');
      console.log('  message:     ', error.message);
      console.log('  code:        ', error.code, `(${error.description})`);
      console.log('  captchaSid:  ', error.captchaSid);
      console.log('  captchaImg:  ', error.captchaImg);
    }
  } finally {
    await api.close();
    await server.close();
  }
}

async function demoReal(token: string): Promise<void> {
  const api = new API({ accessToken: token, lang: 'en' });
  try {
    const [user] = await api.users.get({ user_ids: [1], fields: ['city', 'photo_100', 'screen_name'] });
    console.log('users.get:', user?.first_name, user?.last_name, `(@${user?.screen_name}, ${user?.city?.title ?? 'no city'})`);

    const time = await api.utils.getServerTime();
    console.log('utils.getServerTime:', new Date(time * 1000).toISOString());

    // users.get without ids returns the token's owner, and only user tokens have one.
    const [me] = await api.users.get({}).catch(() => []);
    if (me === undefined) {
      console.log('friends.get: skipped (not a user token)');
      return;
    }
    const friends = await api.friends.get({ fields: ['city'], count: 5 });
    const names = friends.items.map((friend) => `${friend.first_name} ${friend.last_name}`);
    console.log(`friends.get: ${friends.count} friends of ${me.first_name}; first ${names.length}:`, names.join(', '));
  } catch (error) {
    // ApiError messages are censored, so printing them is safe.
    console.error(error instanceof ApiError ? `VK error ${error.message}` : error);
    process.exitCode = 1;
  } finally {
    await api.close();
  }
}

const token = process.env['VK_TOKEN'];
await (token ? demoReal(token) : demoFake());
