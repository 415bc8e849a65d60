// Hostile input is refused before anything is sent: keys that would reach a
// prototype, the caller's code that throws or never ends while it is read (getters,
// Proxy traps, toJSON), text with no UTF-8 form, numbers that lost digits, list
// items that VK would split, method names that would leave the URL path, and
// options no session can work with. Each refusal is checked against the fake
// server: it saw nothing. The few values a hostile look might suspect but that are
// fine (an emoji, a bigint beyond 2^53, a new method name) are shown to be sent
// as they are.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { API, ParamEncodingError, ValidationError, type APIOptions } from '../../src/index.js';
import { TestClients } from '../support/clients.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const token = 'vk1.a.HOSTILE_INPUT_TEST_TOKEN';
const bounded = { timeout: 5_000 };
let server: FakeVk;

const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  server.reply('users.get', () => [{ id: 1 }]);
  server.reply('wall.get', () => ({ count: 0, items: [] }));
  server.reply('messages.send', () => 1);
  server.reply('newsection.brandNew', (params) => params);
});

beforeEach(() => {
  server.requests.length = 0;
});

after(async () => {
  await clients.closeAll();
  await server.close();
});

/** A keyboard the schema accepts, with `label` as its one button's text. */
const keyboard = (label: unknown) => ({ one_time: false, buttons: [[{ action: { type: 'text', label } }]] });
const message = (params: Record<string, unknown>) => ({ peer_id: 1, random_id: 1, ...params });

/** The error `call` fails with, after checking that nothing reached the server. */
async function refused(call: () => Promise<unknown>): Promise<unknown> {
  const error = await call().then(
    () => assert.fail('expected the call to be refused'),
    (e: unknown) => e,
  );
  assert.equal(server.requests.length, 0, `nothing may be sent (refused with ${String(error)})`);
  return error;
}

/** A `ValidationError` (the session validates) with a problem at `path` whose message matches `reason`. */
async function invalid(call: () => Promise<unknown>, path: string, reason: RegExp): Promise<ValidationError> {
  const error = await refused(call);
  assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
  const problem = error.problems.find((p) => p.path === path);
  assert.ok(problem, `no problem at ${path}: ${error.message}`);
  assert.match(problem.message, reason);
  return error;
}

/** A `ParamEncodingError` naming `param` (methods the schema lacks, or `validate: false`). */
async function unencodable(call: () => Promise<unknown>, param: string, reason: RegExp): Promise<ParamEncodingError> {
  const error = await refused(call);
  assert.ok(error instanceof ParamEncodingError, `expected a ParamEncodingError, got ${String(error)}`);
  assert.equal(error.param, param);
  assert.match(error.reason, reason);
  return error;
}

test(
  'a __proto__ param (as JSON.parse makes it) is refused, on a schema method and on a new one',
  bounded,
  async () => {
    const params = JSON.parse('{"user_ids": [1], "__proto__": "x"}') as Record<string, unknown>;
    await invalid(() => client().callMethod('users.get', params), '__proto__', /is not a param/);
    await unencodable(() => client().call('newsection.brandNew', params), '__proto__', /cannot be sent as a name/);
  },
);

test('a __proto__ key inside a JSON param is refused, also with validation off', bounded, async () => {
  const board = JSON.parse('{"one_time": false, "buttons": [], "__proto__": {"polluted": true}}') as unknown;
  await invalid(() => client().callMethod('messages.send', message({ keyboard: board })), 'keyboard.__proto__', /./);
  await unencodable(
    () => client({ validate: false }).callMethod('messages.send', message({ keyboard: board })),
    'keyboard.__proto__',
    /cannot be sent as a name/,
  );
});

test('params without a prototype are read by their own keys, a __proto__ among them refused', bounded, async () => {
  const bare = Object.assign(Object.create(null) as object, { user_ids: [1] });
  await client().callMethod('users.get', bare);
  assert.equal(server.requests.length, 1);
  server.requests.length = 0;
  Object.defineProperty(bare, '__proto__', { value: 'x', enumerable: true });
  await unencodable(() => client().call('newsection.brandNew', bare as Record<string, unknown>), '__proto__', /./);
});

test('params that inherit their keys are refused: nothing inherited is sent', bounded, async () => {
  const inherited = Object.create({ user_ids: [1], access_token: 'stolen' }) as object;
  await invalid(() => client().callMethod('users.get', inherited), 'params', /not a plain object/);
});

test(
  'a getter that throws is a ValidationError with the thrown error as cause, not a stray error',
  bounded,
  async () => {
    const boom = new Error('boom');
    const params = {
      get user_ids(): never {
        throw boom;
      },
    };
    const error = await invalid(() => client().callMethod('users.get', params), 'params', /could not be read: boom/);
    assert.equal((error.cause as ParamEncodingError).cause, boom);
    const encoding = await unencodable(
      () => client({ validate: false }).callMethod('users.get', params),
      'params',
      /boom/,
    );
    assert.equal(encoding.cause, boom);
  },
);

test('a Proxy whose traps throw is refused as a ValidationError', bounded, async () => {
  const trap = new Proxy(
    { user_ids: [1] },
    {
      ownKeys() {
        throw new TypeError('trapped');
      },
    },
  );
  await invalid(() => client().callMethod('users.get', trap), 'params', /trapped/);
  await unencodable(() => client().call('newsection.brandNew', trap), 'params', /trapped/);
});

test('a toJSON that throws inside a JSON param is refused at that param', bounded, async () => {
  const board = {
    ...keyboard('x'),
    toJSON() {
      throw new Error('no JSON today');
    },
  };
  await invalid(() => client().callMethod('messages.send', message({ keyboard: board })), 'keyboard', /no JSON today/);
});

test('a toJSON that returns junk (a function, itself) is refused', bounded, async () => {
  const api = client({ validate: false });
  const send = (board: object) => () => api.callMethod('messages.send', message({ keyboard: board }));
  await unencodable(send({ toJSON: () => () => 1 }), 'keyboard', /a function cannot be encoded/);
  await unencodable(
    send({
      toJSON() {
        return this;
      },
    }),
    'keyboard',
    /circular/,
  );
});

test(
  'a toJSON that never ends, and JSON nested without end, are refused without a stack overflow',
  bounded,
  async () => {
    const endless = { toJSON: (): object => ({ toJSON: endless.toJSON }) };
    await unencodable(
      () => client().call('newsection.brandNew', { data: { endless } }),
      'data.endless',
      /nested deeper/,
    );
    let deep: unknown[] = [];
    const root = deep;
    for (let level = 0; level < 100_000; level++) deep = (deep[0] = [[]]) as unknown[];
    const error = await refused(() => client().call('newsection.brandNew', { data: root }));
    assert.ok(error instanceof ParamEncodingError, String(error));
    assert.match(error.message, /^Cannot encode param "data(\[0\])+": is nested deeper than \d+ levels$/);
  },
);

test('a cycle inside a JSON param is refused', bounded, async () => {
  const action: Record<string, unknown> = { type: 'text', label: 'x' };
  action['self'] = action;
  await unencodable(
    () => client({ validate: false }).callMethod('messages.send', message({ keyboard: { buttons: [[{ action }]] } })),
    'keyboard.buttons[0][0].action.self',
    /circular/,
  );
});

test('a lone surrogate in a param is refused, not sent as U+FFFD', bounded, async () => {
  await invalid(
    () => client().callMethod('messages.send', message({ message: 'cut emoji \uD83D' })),
    'message',
    /lone surrogate/,
  );
  await unencodable(() => client().call('newsection.brandNew', { text: '\uDE00 tail' }), 'text', /lone surrogate/);
});

test('a lone surrogate deep in a JSON param, in a list item, or in a param name is refused', bounded, async () => {
  await invalid(
    () => client().callMethod('messages.send', message({ keyboard: keyboard('\uD800') })),
    'keyboard.buttons[0][0].action.label',
    /lone surrogate/,
  );
  await invalid(
    () => client().callMethod('users.get', { user_ids: ['durov', 'x\uDFFF'] }),
    'user_ids[1]',
    /lone surrogate/,
  );
  await unencodable(() => client().call('newsection.brandNew', { 'name\uD800': 1 }), 'name\uD800', /lone surrogate/);
});

test('lone surrogates in extraParams are refused when the session is made, before any call', bounded, () => {
  assert.throws(() => client({ extraParams: { ref: 'x\uD800' } }), ParamEncodingError);
  assert.equal(server.requests.length, 0);
});

test('whole surrogate pairs (emoji) and newlines are text, sent byte for byte', bounded, async () => {
  const text = 'line one\nline two 😀 👍🏽';
  await client().callMethod('messages.send', message({ message: text }));
  assert.equal(server.requests[0]?.body['message'], text);
});

test('a NUL character is refused', bounded, async () => {
  await invalid(() => client().callMethod('messages.send', message({ message: 'a\0b' })), 'message', /NUL/);
});

test('more ids than the method takes (user_ids over maxItems 1000) are refused', bounded, async () => {
  const user_ids = Array.from({ length: 1001 }, (_, index) => index + 1);
  await invalid(() => client().callMethod('users.get', { user_ids }), 'user_ids', /at most 1000 items/);
});

test('numbers beyond 2^53 (which lost their digits) are refused, in any param', bounded, async () => {
  await invalid(
    () => client().callMethod('users.get', { user_ids: [2 ** 53 + 2] }),
    'user_ids[0]',
    /beyond 2\^53.*bigint/,
  );
  await invalid(() => client().callMethod('wall.get', { owner_id: -(2 ** 60) }), 'owner_id', /beyond 2\^53/);
  await unencodable(() => client().call('newsection.brandNew', { id: 1e21 }), 'id', /beyond 2\^53/);
});

test('a bigint beyond 2^53 passes validation and is sent as its digits; -0 as 0', bounded, async () => {
  await client().callMethod('wall.get', { owner_id: -(2n ** 60n), offset: -0 });
  assert.equal(server.requests[0]?.body['owner_id'], '-1152921504606846976');
  assert.equal(server.requests[0]?.body['offset'], '0');
});

test('NaN and Infinity are refused', bounded, async () => {
  await invalid(() => client().callMethod('wall.get', { count: Number.NaN }), 'count', /./);
  await unencodable(
    () => client().call('newsection.brandNew', { ids: [1, Number.POSITIVE_INFINITY] }),
    'ids[1]',
    /finite/,
  );
});

test('an item with a comma in a comma-joined list is refused: VK would read two items', bounded, async () => {
  await invalid(() => client().callMethod('users.get', { user_ids: ['1,2'] }), 'user_ids[0]', /comma/);
  await unencodable(() => client().call('newsection.brandNew', { ids: [1, '2,3'] }), 'ids[1]', /comma/);
});

test(
  'value objects: a comma in an item or a "_" in a field, which would shift the fields, is refused',
  bounded,
  async () => {
    const api = client({ validate: false });
    await unencodable(() => api.callMethod('wall.getById', { posts: ['1_2,3_4'] }), 'posts[0]', /comma/);
    await unencodable(
      () => api.callMethod('wall.getById', { posts: [{ owner_id: 1, post_id: '2_3' }] }),
      'posts[0].post_id',
      /"_"/,
    );
  },
);

test('a hole in a list is refused, not sent as an empty item', bounded, async () => {
  await unencodable(() => client().call('newsection.brandNew', { ids: [1, , 3] }), 'ids[1]', /undefined/);
});

test('nested lists in a list param are refused by the schema', bounded, async () => {
  await invalid(
    () => client().callMethod('users.get', { user_ids: [[1, 2], [3]] }),
    'user_ids[0]',
    /integer or string/,
  );
});

test('method names that would leave the URL path, or are no VK name, are refused before sending', bounded, async () => {
  const api = client();
  const names = [
    'users/../secure.getBalance',
    'users.get?x=1',
    'users.get#frag',
    'users get',
    '../execute',
    '',
    'a.b.c',
    'users.\uD800',
  ];
  for (const name of names) {
    const error = await refused(() => api.call(name, {}));
    assert.ok(error instanceof TypeError, `${JSON.stringify(name)}: ${String(error)}`);
    assert.match(error.message, /is not a VK method name/);
  }
});

test('a real-looking method the schema lacks still goes through the escape hatch', bounded, async () => {
  const echoed = (await client().call('newsection.brandNew', { a: 1 })) as Record<string, string>;
  assert.equal(echoed['a'], '1');
  assert.equal(server.requests[0]?.path, '/method/newsection.brandNew');
});

test('options no session can work with are refused when it is made', bounded, async () => {
  for (const timeout of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY])
    assert.throws(() => client({ timeout }), RangeError);
  for (const rateLimit of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
    assert.throws(() => client({ rateLimit }), RangeError);
  for (const maxRetries of [-1, 1.5, Number.NaN]) assert.throws(() => client({ maxRetries }), RangeError);
  await refused(() => client().callMethod('users.get', { user_ids: [1] }, { timeout: Number.NaN }));
});

test('a timeout or backoff longer than a Node timer can wait is refused, not cut to 1 ms', bounded, async () => {
  assert.throws(() => client({ timeout: 1e10 }), /timeout must be a positive number of milliseconds up to 2147483647/);
  assert.throws(() => client({ retryDelay: { max: 2 ** 31 } }), /retryDelay\.maxDelay must be 0 to 2147483647/);
  await refused(() => client().callMethod('users.get', { user_ids: [1] }, { timeout: 2 ** 32 }));
  assert.equal(server.requests.length, 0);
});
