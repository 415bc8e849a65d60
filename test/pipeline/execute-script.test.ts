// Batch scripts: what src/pipeline/execute-script.ts writes, the fake execute runs call by
// call, with VK's false-and-execute_errors for the calls that fail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API } from '../../src/index.js';
import { batchScript, maxCallsPerExecute } from '../../src/pipeline/execute-script.js';
import { encodeParams } from '../../src/pipeline/encode-params.js';
import { FakeApiError, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { parseBatchScript } from '../../src/testing/execute.js';

let server: FakeVk;
let api: API;

before(async () => {
  server = await startFakeVk({ tokens: ['token'] });
  server.reply('users.get', (params) => params['user_ids']!.split(',').map((id) => ({ id: Number(id) })));
  server.reply('wall.get', () => {
    throw new FakeApiError({ error_code: 15, error_msg: 'Access denied' });
  });
  api = new API({ accessToken: 'token', apiBaseUrl: server.apiBaseUrl });
});

after(async () => {
  await api.close();
  await server.close();
});

test('a batch script runs each call with its encoded params; failures are false plus execute_errors', async () => {
  const code = batchScript([
    { method: 'users.get', params: encodeParams({ user_ids: [1, 2], fields: ['city'] }) },
    { method: 'wall.get', params: encodeParams({ owner_id: -1, extended: true }) },
    { method: 'users.get', params: encodeParams({ user_ids: [3] }) },
  ]);
  assert.equal(code, 'return [API.users.get({"user_ids":"1,2","fields":"city"}), API.wall.get({"owner_id":"-1","extended":"1"}), API.users.get({"user_ids":"3"})];');
  const { response, executeErrors } = await api.execute<unknown[]>({ code });
  assert.deepEqual(response, [[{ id: 1 }, { id: 2 }], false, [{ id: 3 }]]);
  assert.equal(executeErrors.length, 1);
  assert.equal(executeErrors[0]?.method, 'wall.get');
  assert.equal(executeErrors[0]?.code, 15);
});

test('strings that could break out of the script stay inside it', () => {
  const message = 'a"), API.account.ban({"owner_id":"1"}), ("\u2028';
  const code = batchScript([{ method: 'messages.send', params: [['message', message]] }]);
  assert.deepEqual(parseBatchScript(code), [{ method: 'messages.send', params: { message } }]);
  assert.ok(!code.includes('\u2028'));
});

test('method names other than section.method, and batches over 25 calls, are refused', () => {
  assert.throws(() => batchScript([{ method: 'users.get(); API.account.ban', params: [] }]), /cannot be called inside execute/);
  const calls = Array.from({ length: maxCallsPerExecute + 1 }, () => ({ method: 'users.get', params: [] }));
  assert.throws(() => batchScript(calls), /execute runs 1 to 25 calls, not 26/);
  assert.throws(() => batchScript([]), /not 0/);
});
