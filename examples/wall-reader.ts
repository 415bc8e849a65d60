// `npm run example:wall-reader -- [domain] [how many]`: a wall read page by page with
// api.paginate, which sets `offset` and `count` and yields the posts one by one.
// With VK_TOKEN set it reads VK; without it, a fake VK whose wall has 45 posts.

import { API, ApiError, type WallWallpostFull } from '../src/index.js';
import { startFakeVk, type FakeVk } from '../src/testing/index.js';

const domain = process.argv[2] ?? 'durov';
const wanted = Number(process.argv[3] ?? 50);
const pageSize = 20;

/** wall.get on the fake: 45 posts, newest first, served by `offset` and `count` as VK does. */
async function startFake(): Promise<FakeVk> {
  const fake = await startFakeVk();
  const posts: WallWallpostFull[] = Array.from({ length: 45 }, (_, n) => ({
    id: 45 - n,
    owner_id: 1,
    from_id: 1,
    date: 1_700_000_000 - n * 86_400,
    text: `Post number ${45 - n}`,
  }));
  fake.handle('wall.get', (params) => {
    const offset = params.offset ?? 0;
    return { count: posts.length, items: posts.slice(offset, offset + (params.count ?? 20)) };
  });
  console.log(`Fake VK at ${fake.url} (set VK_TOKEN to read VK)`);
  return fake;
}

const token = process.env['VK_TOKEN'];
await using fake = token === undefined ? await startFake() : undefined;
const api = new API({ accessToken: token ?? 'fake-token', apiBaseUrl: fake?.apiBaseUrl, lang: 'en' });
try {
  let read = 0;
  for await (const post of api.paginate('wall.get', { domain, filter: 'owner' }, { pageSize, limit: wanted })) {
    read += 1;
    const day = post.date === undefined ? 'undated' : new Date(post.date * 1000).toISOString().slice(0, 10);
    console.log(`#${post.id} ${day} ${(post.text ?? '').replace(/\s+/g, ' ').slice(0, 60)}`);
  }
  const pages = fake === undefined ? '' : ` in ${fake.callsOf('wall.get').length} pages of up to ${pageSize}`;
  console.log(`${read} posts of ${domain}${pages}`);
} catch (error) {
  console.error(error instanceof ApiError ? `VK error ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await api.close();
}
