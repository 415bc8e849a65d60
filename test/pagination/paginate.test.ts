// Auto-pagination against the fake VK server: a list of 1,000 items comes out
// whole, in order, each item once, page by page or 25 pages per execute; the
// options (pageSize, limit, startOffset) and the method's bounds shape the
// requests; a list that changes during the walk loses no item and repeats none.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API, ApiError, ValidationError, type APIOptions } from '../../src/index.js';
import { FakeApiError, startFakeVk, type FakeVk, type RecordedRequest } from '../../src/testing/fake-vk.js';
import { TestClients } from '../support/clients.js';

const token = 'vk1.a.PAGINATE_TEST_TOKEN_abcdef';
let server: FakeVk;

interface Post {
  id: number;
  owner_id: number;
  text: string;
}

/** The wall the fake serves, newest first, as VK lists it; tests change it between pages. */
let wall: Post[] = [];
const post = (id: number): Post => ({ id, owner_id: 1, text: `post ${id}` });
const wallOf = (n: number) => Array.from({ length: n }, (_, i) => post(n - i));

/** Called with each wall.get request's offset before it is answered. */
let beforePage: (offset: number) => void = () => {};

function wallHandler(params: Readonly<Record<string, string>>) {
  const offset = Number(params['offset'] ?? 0);
  const count = Number(params['count'] ?? 20);
  beforePage(offset);
  return { count: wall.length, items: wall.slice(offset, offset + count) };
}

const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The wall.get pages asked for, as [offset, count], plain calls and those inside execute alike. */
function pagesAsked(): [number, number][] {
  return server.requests.flatMap((request) => {
    if (request.path === '/method/wall.get')
      return [[Number(request.params['offset']), Number(request.params['count'])]];
    if (request.path !== '/method/execute') return [];
    return [...(request.params['code'] ?? '').matchAll(/"offset":"(\d+)","count":"(\d+)"/g)].map(
      (m): [number, number] => [Number(m[1]), Number(m[2])],
    );
  });
}

const paths = () => server.requests.map((r: RecordedRequest) => r.path);

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  server.reply('wall.get', wallHandler);
  server.reply('groups.getMembers', (params) => {
    const offset = Number(params['offset'] ?? 0);
    return {
      count: 2500,
      items: Array.from({ length: Math.min(Number(params['count']), 2500 - offset) }, (_, i) => offset + i + 1),
    };
  });
  server.reply('friends.get', (params) => {
    const ids = [10, 20, 30];
    const items = params['fields'] ? ids.map((id) => ({ id, first_name: 'F', last_name: 'L' })) : ids;
    return {
      count: ids.length,
      items: items.slice(Number(params['offset']), Number(params['offset']) + Number(params['count'])),
    };
  });
});

beforeEach(() => {
  server.requests.length = 0;
  wall = wallOf(1000);
  beforePage = () => {};
});

after(async () => {
  await clients.closeAll();
  await server.close();
});

describe('1,000 items', () => {
  test('page by page: each item exactly once, in order, 100 per call', async () => {
    const posts = await collect(client().paginate('wall.get', { owner_id: 1 }));
    assert.deepEqual(
      posts.map((p) => p.id),
      wall.map((p) => p.id),
    );
    assert.equal(new Set(posts.map((p) => p.id)).size, 1000);
    assert.equal(server.requests.length, 10);
    assert.deepEqual(
      pagesAsked(),
      Array.from({ length: 10 }, (_, i) => [i * 100, 100]),
    );
    assert.equal(server.requests[0]!.params['owner_id'], '1', "the caller's params go with every page");
  });

  test('executePages: the first page plain, then the other nine in one execute', async () => {
    const posts = await collect(client().paginate('wall.get', { owner_id: 1 }, { executePages: true }));
    assert.deepEqual(
      posts.map((p) => p.id),
      wall.map((p) => p.id),
    );
    assert.deepEqual(paths(), ['/method/wall.get', '/method/execute']);
    assert.deepEqual(
      pagesAsked(),
      Array.from({ length: 10 }, (_, i) => [i * 100, 100]),
    );
  });

  test('executePages: 4 pages per execute, the last page plain', async () => {
    const posts = await collect(client().paginate('wall.get', {}, { executePages: 4, pageSize: 50 }));
    assert.equal(posts.length, 1000);
    assert.equal(new Set(posts.map((p) => p.id)).size, 1000);
    // 20 pages of 50: 1 plain, then 4 + 4 + 4 + 4 in executes, 3 left: one more execute.
    assert.deepEqual(paths(), ['/method/wall.get', ...Array(5).fill('/method/execute')]);
  });

  test('executePages over 2,500 ids at the schema maximum page size (1,000): 1 call and 1 execute', async () => {
    const ids = await collect(client().paginate('groups.getMembers', { group_id: 1 }, { executePages: true }));
    assert.deepEqual(
      ids,
      Array.from({ length: 2500 }, (_, i) => i + 1),
    );
    assert.deepEqual(paths(), ['/method/groups.getMembers', '/method/execute']);
    assert.equal(server.requests[0]!.params['count'], '1000');
  });
});

describe('options', () => {
  test('limit: stops at that many items and asks for no more than needed', async () => {
    const posts = await collect(client().paginate('wall.get', {}, { limit: 250 }));
    assert.equal(posts.length, 250);
    assert.deepEqual(pagesAsked(), [
      [0, 100],
      [100, 100],
      [200, 50],
    ]);
    assert.deepEqual(await collect(client().paginate('wall.get', {}, { limit: 0 })), []);
    assert.equal(server.requests.length, 3);
  });

  test('startOffset and pageSize', async () => {
    const posts = await collect(client().paginate('wall.get', {}, { startOffset: 950, pageSize: 30 }));
    assert.deepEqual(
      posts.map((p) => p.id),
      wall.slice(950).map((p) => p.id),
    );
    assert.deepEqual(pagesAsked(), [
      [950, 30],
      [980, 30],
    ]);
  });

  test('bad options are refused before anything is sent', () => {
    const api = client();
    assert.throws(
      () => api.paginate('groups.getMembers', {}, { pageSize: 1001 }),
      /pageSize for groups.getMembers must be an integer from 1 to 1000, got 1001/,
    );
    assert.throws(() => api.paginate('wall.get', {}, { pageSize: 0 }), /from 1, got 0/);
    assert.throws(() => api.paginate('wall.get', {}, { limit: -1 }), /limit must be a non-negative integer/);
    assert.throws(
      () => api.paginate('wall.get', {}, { executePages: 26 }),
      /executePages must be a boolean or an integer from 1 to 25/,
    );
    assert.throws(() => api.paginate('fave.getPages', {}, { startOffset: 10001 }), /from 0 to 10000/);
    assert.throws(() => api.paginate('wall.get', { offset: 5 } as never), /use the startOffset and pageSize options/);
    assert.throws(() => api.paginate('users.get' as never, {}), /users.get cannot be paginated/);
    assert.equal(server.requests.length, 0);
  });

  test('pages are validated like any call: a bad param is a ValidationError before the first request', async () => {
    await assert.rejects(collect(client().paginate('wall.get', { filter: 'everything' as never })), (error) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ['filter'],
      );
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  test('breaking out of the loop stops the walk', async () => {
    let seen = 0;
    for await (const _ of client().paginate('wall.get', {})) if (++seen === 5) break;
    assert.equal(server.requests.length, 1);
  });
});

describe('the method decides', () => {
  test('items are users when fields are asked for, ids otherwise', async () => {
    const users = await collect(client().paginate('friends.get', { fields: ['city'] }, { pageSize: 2 }));
    assert.deepEqual(
      users.map((u) => u.first_name),
      ['F', 'F', 'F'],
    );
    const ids = await collect(client().paginate('friends.get'));
    assert.deepEqual(ids, [10, 20, 30]);
  });

  test('the walk stops at the highest offset the method accepts', async () => {
    server.reply('fave.getPages', (params) => {
      const offset = Number(params['offset']);
      return {
        count: 20000,
        items: Array.from({ length: Number(params['count']) }, (_, i) => ({ type: 'user', user: { id: offset + i } })),
      };
    });
    const pages = await collect(client().paginate('fave.getPages', {}));
    const offsets = server.requests.map((r) => Number(r.params['offset']));
    assert.equal(offsets.at(-1), 10000);
    assert.equal(pages.length, 10500);
  });

  test('an empty page ends the walk even if count says there is more', async () => {
    server.reply('wall.getComments', (params) =>
      Number(params['offset']) === 0
        ? { count: 500, items: [{ id: 1, from_id: 1, date: 0, text: '' }] }
        : { count: 500, items: [] },
    );
    const comments = await collect(client().paginate('wall.getComments', { post_id: 1 }));
    assert.equal(comments.length, 1);
    assert.equal(server.requests.length, 2);
  });
});

describe('failures', () => {
  test('a page that fails inside execute: the pages before it are yielded, then its error is thrown', async () => {
    beforePage = (offset) => {
      if (offset === 500) throw new FakeApiError({ error_code: 15, error_msg: 'Access denied' });
    };
    const seen: (number | undefined)[] = [];
    await assert.rejects(
      (async () => {
        for await (const p of client().paginate('wall.get', {}, { executePages: true })) seen.push(p.id);
      })(),
      (error) => error instanceof ApiError && error.code === 15 && error.method === 'wall.get',
    );
    assert.deepEqual(
      seen,
      wall.slice(0, 500).map((p) => p.id),
    );
  });

  test('an abort signal stops the walk', async () => {
    const controller = new AbortController();
    const seen: (number | undefined)[] = [];
    await assert.rejects(
      (async () => {
        for await (const p of client().paginate('wall.get', {}, { signal: controller.signal })) {
          seen.push(p.id);
          if (seen.length === 150) controller.abort(new Error('enough'));
        }
      })(),
      /enough/,
    );
    assert.equal(seen.length, 150, 'no item is handed out after the abort');
    assert.equal(server.requests.length, 2);
  });
});

describe('a list that changes during the walk', () => {
  test('new posts on top between pages: no post comes twice, none is missed', async () => {
    let next = 1001;
    beforePage = (offset) => {
      if (offset > 0) wall.unshift(post(next++), post(next++), post(next++));
    };
    const before = wall.map((p) => p.id);
    const posts = await collect(client().paginate('wall.get', {}));
    const ids = posts.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const id of before) assert.ok(ids.includes(id), `post ${id} was missed`);
  });

  test('posts deleted above the offset between pages: no surviving post is missed, none comes twice', async () => {
    beforePage = (offset) => {
      if (offset > 0 && offset < 600) wall.splice(0, 7);
    };
    const posts = await collect(client().paginate('wall.get', {}, { executePages: 3 }));
    const ids = posts.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const survivor of wall) assert.ok(ids.includes(survivor.id), `post ${survivor.id} was missed`);
  });

  test(
    'a count that jumps up and down (VK estimates some) cannot hold the walk in place',
    { timeout: 10_000 },
    async () => {
      let calls = 0;
      server.reply('wall.get', (params) => {
        const offset = Number(params['offset']);
        calls++;
        return { count: calls % 2 === 0 ? 1100 : 1000, items: wall.slice(offset, offset + Number(params['count'])) };
      });
      try {
        const posts = await collect(client().paginate('wall.get', {}));
        assert.deepEqual(
          posts.map((p) => p.id),
          wall.map((p) => p.id),
        );
        assert.ok(calls < 40, `${calls} calls`);
      } finally {
        server.reply('wall.get', wallHandler);
      }
    },
  );

  test('a shrinking list walked page by page: the walk steps back and still ends', async () => {
    beforePage = (offset) => {
      if (offset > 0) wall.splice(0, 40);
    };
    const posts = await collect(client().paginate('wall.get', {}));
    const ids = posts.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const survivor of wall) assert.ok(ids.includes(survivor.id), `post ${survivor.id} was missed`);
  });
});
