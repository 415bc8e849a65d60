// Params validation against the fake VK server: for each kind of param a wrong
// value is a ValidationError naming the param's path, every problem of a call
// is listed, and the server sees nothing. Right values, request-wide params and
// methods the schema lacks go through.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { API, ParamEncodingError, ValidationError, type APIOptions, type ValidationProblem } from '../../src/index.js';
import { TestClients } from '../support/clients.js';
import { loadedAtImport } from '../support/import-graph.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const token = 'vk1.a.VALIDATION_TEST_TOKEN_abcdef';
let server: FakeVk;

const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

/** Calls `send` with params the types refuse (a JS caller's mistakes), and returns the ValidationError. */
async function rejected(send: () => Promise<unknown>): Promise<ValidationError> {
  const error = await send().then(
    () => assert.fail('expected a ValidationError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
  assert.equal(server.requests.length, 0, 'nothing may be sent');
  return error;
}

/** A params object the compiler does not check: the values a JS caller might pass. */
const loose = (params: Record<string, unknown>) => params as never;

function paths(problems: readonly ValidationProblem[]): string[] {
  return problems.map((p) => p.path);
}

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  server.reply('users.get', (params) => (params['user_ids'] ?? '1').split(',').map((id) => ({ id: Number(id) })));
  server.reply('messages.send', () => 1);
  server.reply('wall.getById', () => []);
  server.reply('groups.getMembers', () => ({ count: 0, items: [] }));
  server.reply('ads.addOfficeUsers', () => []);
  server.reply('groups.getById', () => ({ groups: [], profiles: [] }));
  server.reply('brand.newMethod', (params) => params);
});

beforeEach(() => {
  server.requests.length = 0;
});

after(async () => {
  await clients.closeAll();
  await server.close();
});

describe('each kind of param', () => {
  test('integer bounds: a count over the maximum, an offset under the minimum', async () => {
    const error = await rejected(() => client().groups.getMembers(loose({ group_id: 1, count: 5000, offset: -1 })));
    assert.deepEqual(error.problems, [
      { path: 'offset', message: 'must be >= 0 (got -1)', kind: 'invalid' },
      { path: 'count', message: 'must be <= 1000 (got 5000)', kind: 'invalid' },
    ]);
  });

  test('integer type: a fraction, NaN and Infinity are no integers', async () => {
    const error = await rejected(() =>
      client().groups.getMembers(loose({ group_id: 1.5, count: Number.NaN, offset: Number.POSITIVE_INFINITY })),
    );
    assert.deepEqual(paths(error.problems), ['group_id', 'offset', 'count']);
    assert.equal(error.problems[0]!.message, 'must be integer or string (got 1.5)');
    assert.equal(error.problems[2]!.message, 'must be integer (got NaN)');
  });

  test('array items: each wrong item by its index', async () => {
    const error = await rejected(() => client().users.get(loose({ user_ids: [1, 2, 3, true, { id: 5 }] })));
    assert.deepEqual(error.problems, [
      { path: 'user_ids[3]', message: 'must be integer or string (got true)', kind: 'invalid' },
      { path: 'user_ids[4]', message: 'must be integer or string (got an object)', kind: 'invalid' },
    ]);
  });

  test('enum: a value outside it, with the likely value meant', async () => {
    const error = await rejected(() => client().groups.getMembers(loose({ group_id: 1, sort: 'id_ac' })));
    assert.deepEqual(error.problems, [
      {
        path: 'sort',
        message: 'must be one of id_asc, id_desc, time_asc, time_desc (got "id_ac"); did you mean "id_asc"?',
        kind: 'invalid',
      },
    ]);
  });

  test('field lists are open at run time: VK ignores a field it does not know, and the schema lags VK', async () => {
    await client().users.get(loose({ user_ids: [1], fields: ['city', 'citi', 'brand_new_field'] }));
    assert.equal(server.requests.at(-1)?.body['fields'], 'city,citi,brand_new_field');
    await client().groups.getById(loose({ group_id: 1, fields: ['not_a_group_field'] }));
    assert.equal(server.requests.length, 2);
    server.requests.length = 0;
    const notText = await rejected(() => client().users.get(loose({ user_ids: [1], fields: ['city', 5] })));
    assert.deepEqual(notText.problems, [{ path: 'fields[1]', message: 'must be string (got 5)', kind: 'invalid' }]);
  });

  test('a discriminated union: a tag no branch has is one problem, with the likely tag meant', async () => {
    const error = await rejected(() =>
      client().messages.send(
        loose({ peer_id: 1, random_id: 1, keyboard: { one_time: true, buttons: [[{ action: { type: 'txt' } }]] } }),
      ),
    );
    assert.deepEqual(error.problems, [
      {
        path: 'keyboard.buttons[0][0].action.type',
        message:
          'must be one of location, open_app, open_link, open_photo, text, callback, vkpay (got "txt"); did you mean "text"?',
        kind: 'invalid',
      },
    ]);
    const untagged = await rejected(() =>
      client().messages.send(
        loose({ peer_id: 1, random_id: 1, keyboard: { one_time: true, buttons: [[{ action: { label: 'Hi' } }]] } }),
      ),
    );
    assert.deepEqual(untagged.problems, [
      { path: 'keyboard.buttons[0][0].action.type', message: 'is required', kind: 'invalid' },
    ]);
  });

  test("a discriminated union: the problems are those of the branch the tag names, and only that branch's", async () => {
    const action = { type: 'open_link', link: 5, label: 'Site', app_id: 1 };
    const error = await rejected(() =>
      client().messages.send(
        loose({ peer_id: 1, random_id: 1, keyboard: { one_time: true, buttons: [[{ action }]] } }),
      ),
    );
    assert.deepEqual(error.problems, [
      {
        path: 'keyboard.buttons[0][0].action.app_id',
        message: 'is not in the schema (got 1)',
        kind: 'unknown',
      },
      { path: 'keyboard.buttons[0][0].action.link', message: 'must be string (got 5)', kind: 'invalid' },
    ]);
  });

  test('array maxItems: more ids than the method takes', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => i + 1);
    const error = await rejected(() => client().users.get({ user_ids: ids }));
    assert.deepEqual(error.problems, [
      { path: 'user_ids', message: 'must have at most 1000 items (got 1001)', kind: 'invalid' },
    ]);
  });

  test('required: a missing param, and one given as null (which is not sent)', async () => {
    const missing = await rejected(() => client().wall.getById(loose({ extended: true })));
    assert.deepEqual(missing.problems, [{ path: 'posts', message: 'is required', kind: 'invalid' }]);
    const unset = await rejected(() => client().wall.getById(loose({ posts: null })));
    assert.deepEqual(paths(unset.problems), ['posts']);
  });

  test('string: a number where text is expected, text shorter than minLength', async () => {
    const wrongType = await rejected(() => client().messages.send(loose({ peer_id: 1, random_id: 1, message: 42 })));
    assert.deepEqual(wrongType.problems, [{ path: 'message', message: 'must be string (got 42)', kind: 'invalid' }]);
    const short = await rejected(() => client().account.changePassword({ new_password: 'abc' }));
    assert.deepEqual(short.problems, [
      { path: 'new_password', message: 'must be at least 6 characters long (got 3)', kind: 'invalid' },
    ]);
  });

  test('boolean: a flag given as a string', async () => {
    const error = await rejected(() => client().wall.getById(loose({ posts: ['1_1'], extended: 'yes' })));
    assert.deepEqual(error.problems, [{ path: 'extended', message: 'must be boolean (got "yes")', kind: 'invalid' }]);
  });

  test('JSON: the structured value is checked to its leaves; a pre-encoded string is taken as is', async () => {
    const error = await rejected(() =>
      client().messages.send(
        loose({ peer_id: 1, random_id: 1, keyboard: { one_time: 'no', buttons: [[{ color: 'red' }]] } }),
      ),
    );
    assert.deepEqual(paths(error.problems), [
      'keyboard.one_time',
      'keyboard.buttons[0][0].action',
      'keyboard.buttons[0][0].color',
    ]);
    const notJson = await rejected(() => client().messages.send(loose({ peer_id: 1, random_id: 2, keyboard: 5 })));
    assert.deepEqual(notJson.problems, [
      { path: 'keyboard', message: 'must be string or object (got 5)', kind: 'invalid' },
    ]);
    const tooMany = await rejected(() =>
      client().ads.addOfficeUsers(
        loose({ account_id: 1, data: Array.from({ length: 11 }, () => ({ user_id: 1, role: 'manager' })) }),
      ),
    );
    assert.deepEqual(tooMany.problems, [
      { path: 'data', message: 'must have at most 10 items (got 11)', kind: 'invalid' },
    ]);

    await client().messages.send({ peer_id: 1, random_id: 3, keyboard: '{"buttons":[]}' });
    assert.equal(server.requests.at(-1)?.body['keyboard'], '{"buttons":[]}');
  });

  test('value objects: an object needs its required parts; a string passes', async () => {
    const error = await rejected(() => client().wall.getById(loose({ posts: ['1_2', { owner_id: 1 }, 7] })));
    assert.deepEqual(error.problems, [
      { path: 'posts[1].post_id', message: 'is required', kind: 'invalid' },
      { path: 'posts[2]', message: 'must be string or object (got 7)', kind: 'invalid' },
    ]);
  });

  test('unknown params: named, with the likely param meant', async () => {
    const error = await rejected(() => client().users.get(loose({ user_idz: [1] })));
    assert.deepEqual(error.problems, [
      {
        path: 'user_idz',
        message: 'is not a param of users.get; did you mean "user_ids"? (got an array of 1 item)',
        kind: 'unknown',
      },
    ]);
  });
});

test('every problem of a call is listed, each on its own line of the message', async () => {
  const error = await rejected(() =>
    client().users.get(loose({ user_ids: [true], fields: ['citi'], name_case: 'Nom', from_group_id: 'x', extra: 1 })),
  );
  assert.deepEqual(paths(error.problems), ['extra', 'user_ids[0]', 'name_case', 'from_group_id']);
  assert.equal(error.method, 'users.get');
  assert.equal(error.message.split('\n')[0], 'Invalid params for users.get:');
  assert.match(
    error.message,
    /\n {2}name_case: must be one of nom, gen, dat, acc, ins, abl \(got "Nom"\); did you mean "nom"\?/,
  );
});

test('a value the schema leaves open but JSON cannot carry is a ValidationError too, with the encoder error as cause', async () => {
  const error = await rejected(() => client().groups.edit({ group_id: 1, market_buttons: [{ onClick: () => 1 }] }));
  assert.deepEqual(error.problems, [
    { path: 'market_buttons[0].onClick', message: 'a function cannot be encoded as JSON', kind: 'invalid' },
  ]);
  assert.ok(error.cause instanceof ParamEncodingError);
});

test('secrets in params are censored in problems', async () => {
  const error = await rejected(() => client().account.changePassword(loose({ new_password: 12345678901234 })));
  assert.deepEqual(error.problems, [
    { path: 'new_password', message: 'must be string (got ***)', kind: 'invalid' },
  ]);
});

test('right params pass, and so do the params VK takes on every method (token, captcha answer)', async () => {
  await client().users.get({ user_ids: [1, 'durov'], fields: ['city'], name_case: 'gen' });
  await client().callMethod('users.get', {
    user_ids: [1],
    access_token: token,
    lang: 'en',
    captcha_sid: '1',
    captcha_key: 'abc',
  });
  await client().wall.getById({ posts: ['1_2', { owner_id: -1, post_id: 3 }] });
  assert.equal(server.requests.length, 3);
  assert.equal(server.requests[2]!.body['posts'], '1_2,-1_3');
});

test('request-wide params take a scalar', async () => {
  const error = await rejected(() => client().callMethod('users.get', { user_ids: [1], captcha_key: { answer: 'x' } }));
  assert.deepEqual(error.problems, [
    { path: 'captcha_key', message: 'must be string, number or boolean (got an object)', kind: 'invalid' },
  ]);
});

test('validate: false sends what it is given; what cannot be encoded is then a ParamEncodingError', async () => {
  const api = client({ validate: false });
  await api.users.get(loose({ user_ids: [1], fields: ['citi'] }));
  assert.equal(server.requests.at(-1)?.body['fields'], 'citi');
  await assert.rejects(api.users.get(loose({ user_ids: [() => 1] })), ParamEncodingError);
  assert.equal(server.requests.length, 1);
});

test('methods the schema lacks are sent unchecked', async () => {
  const reply = await client().call('brand.newMethod', { anything: [1, 2], at_all: true });
  assert.deepEqual(reply, { anything: '1,2', at_all: '1', access_token: token, v: '5.199' });
});

test('importing the SDK loads neither ajv, nor the schemas, nor the checking code: they load on the first check', () => {
  const loaded = [...loadedAtImport(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))];
  assert.ok(
    loaded.some((m) => m.endsWith('/src/validation/schema-checks.ts')),
    'the graph walk reaches the validation module',
  );
  assert.ok(
    loaded.some((m) => m.endsWith('/generated/methods.ts')),
    'the graph walk reaches generated modules',
  );
  assert.ok(
    loaded.some((m) => m.startsWith('node:')),
    'the graph walk sees packages',
  );
  assert.ok(!loaded.includes('ajv'), 'ajv is imported at start-up');
  assert.deepEqual(
    loaded.filter(
      (m) => m.includes('/generated/validation/') || /\/src\/validation\/(validators|problems)\.ts$/.test(m),
    ),
    [],
  );
});
