// encodeParams: every kind of param value, and the values that must be refused.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeParams, type ParamEncodings } from '../../src/pipeline/encode-params.js';
import { ParamEncodingError, VkError } from '../../src/core/errors.js';

const encode = (params: object | undefined, encodings?: ParamEncodings): Record<string, string> =>
  Object.fromEntries(encodeParams(params, encodings));

/** Asserts that encoding throws a ParamEncodingError naming `param`, and that the
 * message mentions `reason`. */
function assertRejected(params: object, param: string, reason: RegExp, encodings?: ParamEncodings): void {
  assert.throws(
    () => encodeParams(params, encodings),
    (error: unknown) => {
      assert.ok(error instanceof ParamEncodingError, `expected ParamEncodingError, got ${String(error)}`);
      assert.ok(error instanceof VkError);
      assert.equal(error.param, param);
      assert.match(error.message, new RegExp(`"${param.replace(/[.[\]]/g, '\\$&')}"`));
      assert.match(error.message, reason);
      return true;
    },
  );
}

describe('scalars', () => {
  test('booleans are sent as 1 and 0', () => {
    assert.deepEqual(encode({ extended: true, need_mutual: false }), { extended: '1', need_mutual: '0' });
  });

  test('integers and fractional numbers use their decimal form', () => {
    assert.deepEqual(encode({ owner_id: -1, count: 0, offset: 100, latitude: 59.9386, negative_zero: -0 }), {
      owner_id: '-1',
      count: '0',
      offset: '100',
      latitude: '59.9386',
      negative_zero: '0',
    });
  });

  test('bigints (int64 ids) are sent as their decimal digits', () => {
    assert.deepEqual(encode({ peer_id: 2_000_000_000_000_000_001n }), { peer_id: '2000000000000000001' });
  });

  test('strings are sent as they are, enum values included', () => {
    const message = 'Привет & bye = 100%, ok?';
    assert.deepEqual(encode({ message, name_case: 'gen', sort: 'hints' }), { message, name_case: 'gen', sort: 'hints' });
    // and survive the form encoding byte for byte
    assert.equal(new URLSearchParams(encodeParams({ message }).toString()).get('message'), message);
  });

  test('integer enums are sent as numbers', () => {
    assert.deepEqual(encode({ filter: 1, privacy: 0 }), { filter: '1', privacy: '0' });
  });

  test('undefined and null params are dropped; params keep their order', () => {
    const form = encodeParams({ a: 1, skipped: undefined, b: 'x', nothing: null, c: false });
    assert.deepEqual([...form.keys()], ['a', 'b', 'c']);
  });

  test('no params gives an empty form', () => {
    assert.equal(encodeParams(undefined).toString(), '');
    assert.equal(encodeParams({}).toString(), '');
  });

  test('a param named like an Object.prototype member is an ordinary param', () => {
    assert.deepEqual(encode({ constructor: 5, toString: 'x' }, {}), { constructor: '5', toString: 'x' });
  });
});

describe('arrays', () => {
  test('arrays of integers and strings are comma-joined', () => {
    assert.deepEqual(encode({ user_ids: [1, 2, 3], fields: ['city', 'photo_100'] }), {
      user_ids: '1,2,3',
      fields: 'city,photo_100',
    });
  });

  test('array items follow the scalar rules', () => {
    assert.deepEqual(encode({ flags: [true, false], ids: [1n, -5] }), { flags: '1,0', ids: '1,-5' });
  });

  test('an empty array is sent as an empty value', () => {
    assert.deepEqual(encode({ fields: [] }), { fields: '' });
  });

  test('an array of objects, having no comma-joined form, is sent as JSON', () => {
    assert.deepEqual(encode({ items: [{ id: 1 }, { id: 2 }] }), { items: '[{"id":1},{"id":2}]' });
    assert.deepEqual(encode({ matrix: [[1, 2], [3]] }), { matrix: '[[1,2],[3]]' });
  });
});

describe('json params', () => {
  const encodings: ParamEncodings = { keyboard: 'json', forward: 'json', data: 'json' };

  test('an object is sent JSON-encoded, booleans as JSON booleans', () => {
    const keyboard = { one_time: false, buttons: [[{ action: { type: 'text', label: 'Hi' }, color: 'primary' }]] };
    assert.deepEqual(encode({ keyboard }, encodings), { keyboard: JSON.stringify(keyboard) });
  });

  test('an array is sent JSON-encoded, not comma-joined', () => {
    assert.deepEqual(encode({ data: [{ user_id: 1, role: 'manager' }] }, encodings), {
      data: '[{"user_id":1,"role":"manager"}]',
    });
    assert.deepEqual(encode({ data: [1, 2] }, encodings), { data: '[1,2]' });
  });

  test('a string is taken as already encoded', () => {
    const forward = '{"peer_id":2000000001,"conversation_message_ids":[5]}';
    assert.deepEqual(encode({ forward }, encodings), { forward });
  });

  test('undefined properties are left out, bigints written as numbers, dates through toJSON', () => {
    const date = new Date(Date.UTC(2024, 0, 2));
    assert.deepEqual(encode({ data: { a: undefined, id: 12345678901234567890n, at: date, none: null } }, encodings), {
      data: `{"id":12345678901234567890,"at":"${date.toISOString()}","none":null}`,
    });
  });

  test('a json param of another method is an ordinary param', () => {
    assert.deepEqual(encode({ data: true }, { other: 'json' }), { data: '1' });
  });
});

describe('value-object params', () => {
  const encodings: ParamEncodings = { photos: { valueObject: ['owner_id', 'photo_id', 'access_key'] } };

  test('objects are joined with _ in the listed order; items comma-joined', () => {
    const photos = [
      { photo_id: 2, owner_id: 1, access_key: 'k' },
      { owner_id: -30, photo_id: 7 },
    ];
    assert.deepEqual(encode({ photos }, encodings), { photos: '1_2_k,-30_7' });
  });

  test('string items are sent as they are, beside objects', () => {
    assert.deepEqual(encode({ photos: ['1_2', { owner_id: 3, photo_id: 4 }] }, encodings), { photos: '1_2,3_4' });
  });

  test('properties not listed are ignored', () => {
    assert.deepEqual(encode({ photos: [{ owner_id: 1, photo_id: 2, album_id: 9 }] }, encodings), { photos: '1_2' });
  });

  test('a single object or string counts as a one-item list', () => {
    assert.deepEqual(encode({ photos: { owner_id: 1, photo_id: 2 } }, encodings), { photos: '1_2' });
    assert.deepEqual(encode({ photos: '5_6' }, encodings), { photos: '5_6' });
  });

  test('a missing field before a present one is refused', () => {
    assertRejected({ photos: [{ owner_id: 1, photo_id: 2 }, { owner_id: 1, access_key: 'k' }] }, 'photos[1].photo_id', /access_key/, encodings);
  });

  test('an item with none of the fields, or of another kind, is refused', () => {
    assertRejected({ photos: [{ id: 1 }] }, 'photos[0]', /none of the fields/, encodings);
    assertRejected({ photos: [12] }, 'photos[0]', /a number/, encodings);
    assertRejected({ photos: [{ owner_id: 1, photo_id: Number.NaN }] }, 'photos[0].photo_id', /NaN/, encodings);
  });
});

describe('objects', () => {
  test('a plain object is sent as JSON, never as [object Object]', () => {
    const settings = { nested: { deep: [1, 'two', true] } };
    assert.deepEqual(encode({ settings }), { settings: '{"nested":{"deep":[1,"two",true]}}' });
  });

  test('an object without prototype is a plain object too', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    assert.deepEqual(encode({ bare }), { bare: '{"a":1}' });
  });
});

describe('values that cannot be sent', () => {
  test('functions and symbols', () => {
    assertRejected({ callback: () => 1 }, 'callback', /a function/);
    assertRejected({ tag: Symbol('x') }, 'tag', /a symbol/);
  });

  test('NaN and infinities', () => {
    assertRejected({ count: Number.NaN }, 'count', /NaN is not a finite number/);
    assertRejected({ offset: Number.POSITIVE_INFINITY }, 'offset', /Infinity/);
    assertRejected({ user_ids: [1, Number.NEGATIVE_INFINITY] }, 'user_ids[1]', /-Infinity/);
  });

  test('undefined or null inside a list', () => {
    assertRejected({ user_ids: [1, undefined, 3] }, 'user_ids[1]', /undefined/);
    assertRejected({ user_ids: [null] }, 'user_ids[0]', /null/);
  });

  test('class instances that have no form encoding', () => {
    assertRejected({ ids: new Set([1]) }, 'ids', /a Set/);
    assertRejected({ start_time: new Date(0) }, 'start_time', /a Date/);
    assertRejected({ settings: { map: new Map() } }, 'settings.map', /a Map/);
  });

  test('bad values deep inside a JSON value, named by their path', () => {
    const encodings: ParamEncodings = { keyboard: 'json' };
    assertRejected({ keyboard: { buttons: [[{ action: () => 1 }]] } }, 'keyboard.buttons[0][0].action', /function/, encodings);
    assertRejected({ keyboard: { inline: Number.NaN } }, 'keyboard.inline', /NaN/, encodings);
    assertRejected({ keyboard: { buttons: [undefined] } }, 'keyboard.buttons[0]', /undefined/, encodings);
  });

  test('a circular value', () => {
    const keyboard: Record<string, unknown> = { a: 1 };
    keyboard['self'] = keyboard;
    assertRejected({ keyboard }, 'keyboard.self', /circular/, { keyboard: 'json' });
  });

  test('the same object twice is not a cycle', () => {
    const shared = { id: 1 };
    assert.deepEqual(encode({ data: [shared, shared] }), { data: '[{"id":1},{"id":1}]' });
  });

  test('params that are not a plain object', () => {
    assertRejected([1, 2], 'params', /an Array/);
    assertRejected(new Map([['a', 1]]), 'params', /a Map/);
  });
});
