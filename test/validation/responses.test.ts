// Response checks (validateResponses): fields VK sent that the schema lacks and
// values of another type are reported per the mode, against the variant the
// call's params select; secrets stay censored; lists report a drift once.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { API, ResponseValidationError, type APIOptions, type ValidationProblem } from '../../src/index.js';
import { TestClients } from '../support/clients.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const token = 'vk1.a.RESPONSE_TEST_TOKEN_abcdef';
let server: FakeVk;
/** What the fake answers users.get with, per test. */
let users: object[] = [];

const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

/** A client in 'warn' mode whose reports are collected. */
function reporting(): { api: API; reports: [string, readonly ValidationProblem[]][] } {
  const reports: [string, readonly ValidationProblem[]][] = [];
  const api = client({
    validateResponses: 'warn',
    onResponseProblems: (method, problems) => reports.push([method, problems]),
  });
  return { api, reports };
}

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  server.reply('users.get', () => users);
  server.reply('friends.get', (params) =>
    params['fields'] ? { count: 1, items: [{ id: 1, first_name: 'A', last_name: 'B' }] } : { count: 2, items: [1, 2] },
  );
});

beforeEach(() => {
  server.requests.length = 0;
  users = [{ id: 1, first_name: 'Pavel', last_name: 'Durov' }];
});

after(async () => {
  await clients.closeAll();
  await server.close();
});

test('a response that matches the schema reports nothing', async () => {
  const { api, reports } = reporting();
  assert.deepEqual(await api.users.get({ user_ids: [1] }), users);
  assert.deepEqual(reports, []);
});

test("'warn' reports unknown fields and wrong types by path, and the call still returns the response", async () => {
  users = [{ id: 1, first_name: 5, last_name: 'Durov', brand_new_field: { x: 1 } }];
  const { api, reports } = reporting();
  assert.deepEqual(await api.users.get({ user_ids: [1] }), users);
  assert.deepEqual(reports, [
    [
      'users.get',
      [
        { path: 'response[0].brand_new_field', message: 'is not in the schema (got an object)', kind: 'unknown' },
        { path: 'response[0].first_name', message: 'must be string (got 5)', kind: 'invalid' },
      ],
    ],
  ]);
});

test("'warn' logs one censored console.warn line per problem by default", async (t) => {
  const secret = 'vk1.a.SECRET_IN_A_RESPONSE_0123456789';
  users = [{ id: 1, first_name: 'P', last_name: 'D', access_token: secret, nickname: 7 }];
  const warn = t.mock.method(console, 'warn', () => {});
  await client({ validateResponses: 'warn' }).users.get({ user_ids: [1] });
  const lines = warn.mock.calls.map((call) => String(call.arguments[0]));
  assert.deepEqual(lines, [
    'vk-typed: users.get response drift: response[0].access_token: is not in the schema (got vk1.***)',
    'vk-typed: users.get response drift: response[0].nickname: must be string (got 7)',
  ]);
  assert.ok(!lines.join('\n').includes(secret));
});

test("drift reports censor the SDK's secret names, not every name with token or code in it", async () => {
  const secrets = {
    access_token: 'vk1.a.ACCESS_TOKEN_IN_A_REPLY_0123456789',
    token: 'vk1.a.NEW_TOKEN_IN_A_REPLY_0123456789',
    client_secret: 'CLIENT_SECRET_0123456789',
    secret_key: 'CALLBACK_SECRET_0123456789',
  };
  users = [
    {
      id: 1,
      first_name: 'P',
      last_name: 'D',
      web_view_token: 'ab12cd34ef56ab78',
      track_code: 'track-0123456789',
      ...secrets,
    },
  ];
  const { api, reports } = reporting();
  await api.users.get({ user_ids: [1] });
  assert.deepEqual(
    reports[0]?.[1].map((p) => `${p.path}: ${p.message}`),
    [
      'response[0].web_view_token: is not in the schema (got "ab12cd34ef56ab78")',
      'response[0].track_code: is not in the schema (got "track-0123456789")',
      'response[0].access_token: is not in the schema (got vk1.***)',
      'response[0].token: is not in the schema (got vk1.***)',
      'response[0].client_secret: is not in the schema (got ***)',
      'response[0].secret_key: is not in the schema (got ***)',
    ],
  );
});

test("a discriminated union is checked as the branch its tag names: that branch's problems alone", async () => {
  const subscriptions = (items: object[]) =>
    server.reply('users.getSubscriptions', () => ({ count: items.length, items }));
  const { api, reports } = reporting();
  subscriptions([
    { type: 'page', id: 1, name: 'VK' },
    { type: 'profile', id: 2, first_name: 'P', last_name: 'D' },
  ]);
  await api.users.getSubscriptions({ extended: true });
  assert.deepEqual(reports, [], 'a group and a user, each as its tag says');

  subscriptions([{ type: 'page', id: 'one', name: 'VK' }, { type: 'club', id: 2 }, { id: 3 }]);
  await api.users.getSubscriptions({ extended: true });
  assert.deepEqual(reports[0]?.[1], [
    { path: 'response.items[0].id', message: 'must be integer (got "one")', kind: 'invalid' },
    {
      path: 'response.items[1].type',
      message: 'must be one of group, page, event, profile, email (got "club")',
      kind: 'invalid',
    },
    { path: 'response.items[2].type', message: 'is required', kind: 'invalid' },
  ]);
});

test("'throw' throws a ResponseValidationError listing the problems, after the call reached VK", async () => {
  users = [{ id: 'one', first_name: 'P', last_name: 'D' }];
  const error = await client({ validateResponses: 'throw' })
    .users.get({ user_ids: [1] })
    .catch((e: unknown) => e);
  assert.ok(error instanceof ResponseValidationError);
  assert.equal(error.method, 'users.get');
  assert.deepEqual(error.problems, [
    { path: 'response[0].id', message: 'must be integer (got "one")', kind: 'invalid' },
  ]);
  assert.equal(
    error.message,
    'The response of users.get does not match the schema:\n  response[0].id: must be integer (got "one")',
  );
  assert.equal(server.requests.length, 1);
});

test("'off' (the default) checks nothing", async () => {
  users = [{ id: 'one', first_name: 5 }];
  assert.deepEqual(await client().users.get({ user_ids: [1] }), users);
});

test('the response is checked against the variant the params select', async () => {
  const { api, reports } = reporting();
  await api.friends.get({ fields: ['city'] });
  await api.friends.get({});
  assert.deepEqual(reports, [], 'users with fields, ids without: each as its variant says');

  server.reply('friends.get', () => ({ count: 1, items: [{ id: 1 }] }));
  await api.friends.get({});
  assert.deepEqual(reports[0]?.[1], [
    { path: 'response.items[0]', message: 'must be integer (got an object)', kind: 'invalid' },
  ]);
});

test('the same drift in every item of a list is one problem with a count', async () => {
  users = Array.from({ length: 50 }, (_, i) => ({ id: i, first_name: 'P', last_name: 'D', brand_new_field: i }));
  const { api, reports } = reporting();
  await api.users.get({ user_ids: [1] });
  assert.deepEqual(reports[0]?.[1], [
    {
      path: 'response[0].brand_new_field',
      message: 'is not in the schema (got 0); and 49 more like it',
      kind: 'unknown',
    },
  ]);
});

test('an unknown validateResponses mode is refused when the session is made', () => {
  assert.throws(
    () => client({ validateResponses: 'loud' as never }),
    /validateResponses must be 'off', 'warn' or 'throw', not "loud"/,
  );
});

// The schema corrections reach the response check, not only the types: what a
// correction admits passes, what it does not admit is still reported at its path.
const size = (type: string, width: number) => ({ type, width, height: width, url: `https://sun9-1.userapi.com/${type}.jpg` });

/** The paths the response check reports for each reply `method` gets in turn. */
async function reportedPaths(method: 'photos.getById' | 'prettyCards.get', params: object, replies: unknown[]): Promise<string[][]> {
  const { api, reports } = reporting();
  const paths: string[][] = [];
  for (const reply of replies) {
    server.reply(method, () => reply);
    reports.length = 0;
    await api.call(method, params as never);
    paths.push(reports.flatMap(([, problems]) => problems.map((problem) => problem.path)));
  }
  return paths;
}

test("a photo's orig_photo and web_view_token are in the schema (a correction); a malformed orig_photo is not", async () => {
  const photo = { id: 457239017, album_id: -7, owner_id: 1, date: 1_700_000_000, sizes: [size('s', 75)], text: '', has_tags: false };
  const full = { ...photo, orig_photo: size('base', 1280), web_view_token: '5d3e0a1b2c3d4e5f60' };
  assert.deepEqual(await reportedPaths('photos.getById', { photos: ['1_457239017'] }, [[full], [{ ...full, orig_photo: 'https://x' }]]), [
    [],
    ['response[0].orig_photo'],
  ]);
});

test("a card's button passes as its key string and as a link button, the union a correction keeps; a number does not", async () => {
  const card = { inner_type: 'prettyCards_prettyCard', card_id: '7041891', link_url: 'tel:+79001234567', photo: '-1_457239118', title: 'Card' };
  const reply = (button: unknown) => ({ count: 1, items: [{ ...card, button }] });
  assert.deepEqual(await reportedPaths('prettyCards.get', { owner_id: -1 }, [reply('call'), reply({ title: 'Open' }), reply(5)]), [
    [],
    [],
    ['response.items[0].button'],
  ]);
});
