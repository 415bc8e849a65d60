// key=value arguments read as the generated params schema types each param.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/outcome.js';
import { methodParams } from '../../src/cli/param-schemas.js';
import { paramsFromArguments } from '../../src/cli/param-values.js';
import type { MethodName } from '../../generated/methods.js';

const parse = async (method: MethodName, ...args: string[]) => paramsFromArguments(args, await methodParams(method));

test('lists: comma-separated (items trimmed and typed) or a JSON array; empty is an empty list', async () => {
  assert.deepEqual(await parse('users.get', 'user_ids=1, durov ,-3', 'fields='), { user_ids: [1, 'durov', -3], fields: [] });
  assert.deepEqual(await parse('users.get', 'user_ids=[1,"durov"]'), { user_ids: [1, 'durov'] });
  assert.deepEqual(await parse('account.getCounters', 'filter=friends,messages'), { filter: ['friends', 'messages'] });
  assert.deepEqual(await parse('photos.getById', 'photos=1_2,3_4'), { photos: ['1_2', '3_4'] });
});

test('integers and numbers; what is neither stays a string for the params check to refuse', async () => {
  assert.deepEqual(await parse('wall.get', 'owner_id=-1', 'count=1.5', 'offset=12345678901234567890'), {
    owner_id: -1,
    count: '1.5',
    offset: '12345678901234567890',
  });
  assert.deepEqual(await parse('messages.send', 'lat=55.75', 'long=-1e1', 'message=123'), {
    lat: 55.75,
    long: -10,
    message: '123',
  });
  // An enum of numbers (0 by rating, 1 by date registered) takes them as numbers.
  assert.deepEqual(await parse('users.search', 'sort=1'), { sort: 1 });
});

test('booleans as 1/0 or true/false, nothing else', async () => {
  assert.deepEqual(await parse('wall.get', 'extended=1'), { extended: true });
  assert.deepEqual(await parse('wall.get', 'extended=false'), { extended: false });
  assert.deepEqual(await parse('wall.get', 'extended=yes'), { extended: 'yes' });
});

test('objects and lists of objects as JSON; a string where the schema also takes one', async () => {
  const keyboard = { one_time: true, buttons: [] };
  assert.deepEqual(await parse('messages.send', `keyboard=${JSON.stringify(keyboard)}`), { keyboard });
  assert.deepEqual(await parse('ads.addOfficeUsers', 'account_id=1', 'data=[{"user_id":1,"role":"manager"}]'), {
    account_id: 1,
    data: [{ user_id: 1, role: 'manager' }],
  });
  // No comma-split form for a list of objects: the text goes as it is (the schema takes a string too).
  assert.deepEqual(await parse('ads.addOfficeUsers', 'data=a,b'), { data: 'a,b' });
  await assert.rejects(parse('messages.send', 'keyboard={"one_time":true,'), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^keyboard: not valid JSON \(/);
    return true;
  });
});

test('a param the schema lacks, and a value with "=" in it, go as given', async () => {
  assert.deepEqual(await parse('users.get', 'user_idz=1', 'v=5.131'), { user_idz: '1', v: '5.131' });
  assert.deepEqual(await parse('messages.send', 'message=a=b'), { message: 'a=b' });
});

test('an argument that is not key=value, or a key given twice, is a UsageError', async () => {
  await assert.rejects(parse('users.get', '=1'), { name: 'UsageError', message: 'expected key=value, got "=1"' });
  await assert.rejects(parse('users.get', 'fields=city', 'fields=sex'), { name: 'UsageError', message: 'fields is given twice' });
});
