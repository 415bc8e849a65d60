// The Callback API handler (fetch-style) and the node:http listener on a real
// http.createServer: confirmation, the secret, `ok` only after the handler, a
// throwing handler and the re-delivery, repeats after `ok`, bodies that are not events.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, afterEach, before, describe, test } from 'node:test';
import { request } from 'undici';
import { API } from '../../src/index.js';
import { createCallbackHandler, nodeCallbackListener, type CallbackHandlerOptions } from '../../src/events/callback-handler.js';
import { GroupEventRouter } from '../../src/events/event-router.js';
import type { GroupEvent } from '../../generated/events.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const secret = 'callback-secret';

function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message_new',
    object: { message: { id: 1, text: `hello ${id}`, peer_id: 1, from_id: 1, date: 1 }, client_info: {} },
    group_id: 7,
    event_id: id,
    v: '5.199',
    secret,
    ...extra,
  };
}

const confirmation = { type: 'confirmation', group_id: 7, secret };

/** A Callback API endpoint under test: send(body) -> [status, text]. */
interface Endpoint {
  send(body: unknown, init?: { method?: string; raw?: boolean }): Promise<[number, string]>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** An endpoint whose onEvent records each event and holds it until `handled` resolves. */
async function held(endpoint: (options: CallbackHandlerOptions) => Promise<Endpoint> | Endpoint) {
  const handled = deferred();
  const delivered: string[] = [];
  const vk = await endpoint({
    confirmation: 'abc',
    secret,
    onEvent: async (e) => {
      delivered.push(e.event_id);
      await handled.promise;
    },
  });
  return { handled, delivered, vk };
}

/** Failures the handler reports, kept quiet. */
const quiet = { onError: () => {} };

function fetchEndpoint(options: CallbackHandlerOptions): Endpoint {
  const handle = createCallbackHandler(options);
  return {
    async send(body, init = {}) {
      const method = init.method ?? 'POST';
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const response = await handle(new Request('http://bot.test/callback', method === 'POST' ? { method, body: text } : { method }));
      return [response.status, await response.text()];
    },
  };
}

/** The same behaviour, checked for both faces. */
function behaviour(name: string, endpoint: (options: CallbackHandlerOptions) => Promise<Endpoint> | Endpoint): void {
  describe(name, () => {
    test('confirmation is answered with the confirmation string and not delivered', async () => {
      const delivered: GroupEvent[] = [];
      const vk = await endpoint({ confirmation: 'abc123', secret, onEvent: (e) => void delivered.push(e) });
      assert.deepEqual(await vk.send(confirmation), [200, 'abc123']);
      assert.deepEqual(delivered, []);
    });

    test('an event with another secret, or none, is answered 403 and not delivered', async () => {
      const delivered: GroupEvent[] = [];
      const vk = await endpoint({ confirmation: 'abc', secret, onEvent: (e) => void delivered.push(e) });
      assert.equal((await vk.send(event('e1', { secret: 'wrong' })))[0], 403);
      assert.equal((await vk.send(event('e2', { secret: undefined })))[0], 403);
      assert.equal((await vk.send({ ...confirmation, secret: 'callback-secreT' }))[0], 403);
      assert.deepEqual(delivered, []);
    });

    test('an event is answered ok only after onEvent resolves', async () => {
      const { handled, delivered, vk } = await held(endpoint);
      let answered = false;
      const reply = vk.send(event('e1')).then((result) => {
        answered = true;
        return result;
      });
      while (delivered.length === 0) await nextTurn();
      for (let turn = 0; turn < 20; turn += 1) await nextTurn();
      assert.equal(answered, false);
      handled.resolve();
      assert.deepEqual(await reply, [200, 'ok']);
      assert.deepEqual(delivered, ['e1']);
    });

    test('when onEvent throws the answer is a 500, and VK re-sending the event delivers it again', async () => {
      let calls = 0;
      const failures: unknown[] = [];
      const vk = await endpoint({
        confirmation: 'abc',
        secret,
        onEvent: () => {
          calls += 1;
          if (calls === 1) throw new Error('database down');
        },
        onError: (error) => failures.push(error),
      });
      assert.equal((await vk.send(event('e1')))[0], 500);
      assert.deepEqual(await vk.send(event('e1')), [200, 'ok']);
      assert.equal(calls, 2);
      assert.equal((failures[0] as Error).message, 'database down');
    });

    test('a repeat of an event answered ok is answered ok and not delivered', async () => {
      const delivered: string[] = [];
      const vk = await endpoint({ confirmation: 'abc', secret, onEvent: (e) => void delivered.push(e.event_id) });
      assert.deepEqual(await vk.send(event('e1')), [200, 'ok']);
      assert.deepEqual(await vk.send(event('e1')), [200, 'ok']);
      assert.deepEqual(await vk.send(event('e2')), [200, 'ok']);
      assert.deepEqual(delivered, ['e1', 'e2']);
    });

    test('a repeat arriving while the event is handled waits for that outcome and is not delivered', async () => {
      const { handled, delivered, vk } = await held(endpoint);
      const first = vk.send(event('e1'));
      while (delivered.length === 0) await nextTurn();
      const second = vk.send(event('e1'));
      for (let turn = 0; turn < 20; turn += 1) await nextTurn();
      handled.resolve();
      assert.deepEqual(await Promise.all([first, second]), [
        [200, 'ok'],
        [200, 'ok'],
      ]);
      assert.deepEqual(delivered, ['e1']);
    });

    test('a body that is not JSON, or JSON that is no event, is answered 400', async () => {
      const vk = await endpoint({ confirmation: 'abc', onEvent: () => {} });
      assert.equal((await vk.send('{"type": "message_new", '))[0], 400);
      assert.equal((await vk.send('[1, 2]'))[0], 400);
      assert.equal((await vk.send({ object: {} }))[0], 400);
      assert.equal((await vk.send(''))[0], 400);
    });

    test('GET is answered 405; a body over maxBodyBytes 413, undelivered', async () => {
      const delivered: GroupEvent[] = [];
      const vk = await endpoint({ confirmation: 'abc', maxBodyBytes: 1000, onEvent: (e) => void delivered.push(e) });
      assert.equal((await vk.send(undefined, { method: 'GET' }))[0], 405);
      assert.equal((await vk.send(event('big', { padding: 'x'.repeat(5000) })))[0], 413);
      assert.deepEqual(delivered, []);
      assert.deepEqual(await vk.send(event('small', { secret: undefined })), [200, 'ok']);
    });

    test('unknown event types are delivered too; a GroupEventRouter routes them by type', async () => {
      const router = new GroupEventRouter();
      const seen: string[] = [];
      router.on('message_new', (e) => void seen.push(e.object.message.text)).onUnknown((e) => void seen.push(e.type));
      const vk = await endpoint({ confirmation: 'abc', onEvent: (e, signal) => router.dispatch(e, signal) });
      await vk.send(event('e1', { secret: undefined }));
      await vk.send({ type: 'new_kind', object: {}, group_id: 7, event_id: 'n1', v: '5.199' });
      assert.deepEqual(seen, ['hello e1', 'new_kind']);
    });
  });
}

behaviour('createCallbackHandler', fetchEndpoint);

const servers: http.Server[] = [];
behaviour('nodeCallbackListener on http.createServer', async (options) => {
  const server = http.createServer(nodeCallbackListener(options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    async send(body, init = {}) {
      const method = (init.method ?? 'POST') as 'POST' | 'GET';
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const response = await request(url, method === 'POST' ? { method, body: text } : { method });
      return [response.statusCode, await response.body.text()];
    },
  };
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the confirmation string from groups.getCallbackConfirmationCode', () => {
  let vk: FakeVk;
  let api: API;
  before(async () => {
    vk = await startFakeVk();
    vk.reply('groups.getCallbackConfirmationCode', (params) => ({ code: `code-of-${params['group_id']}` }));
    api = new API({ accessToken: 'token', apiBaseUrl: vk.apiBaseUrl, rateLimit: false, maxRetries: 0 });
  });
  after(async () => {
    await api.close();
    await vk.close();
  });

  test('with api and groupId the string is fetched; confirmations of other communities are 403', async () => {
    const endpoint = fetchEndpoint({ api, groupId: 7, secret, onEvent: () => {} });
    assert.deepEqual(await endpoint.send(confirmation), [200, 'code-of-7']);
    assert.equal((await endpoint.send({ ...confirmation, group_id: 8 }))[0], 403);
    assert.equal(vk.requests.filter((r) => r.path === '/method/groups.getCallbackConfirmationCode').length, 1);
  });

  test('a failing fetch is answered 500, so that VK asks again', async () => {
    vk.replyError('groups.getCallbackConfirmationCode', { error_code: 15, error_msg: 'Access denied' });
    const endpoint = fetchEndpoint({ api, groupId: 7, ...quiet, onEvent: () => {} });
    assert.equal((await endpoint.send({ ...confirmation, secret: undefined }))[0], 500);
  });
});

test('bad options throw at once', () => {
  const onEvent = () => {};
  const bad = [
    { onEvent },
    { confirmation: '', onEvent },
    { confirmation: 'abc', onEvent: 'no' },
    { confirmation: 'abc', groupId: -1, onEvent },
    { confirmation: 'abc', maxBodyBytes: 0, onEvent },
    { api: new API(), onEvent },
  ];
  for (const options of bad) assert.throws(() => createCallbackHandler(options as unknown as CallbackHandlerOptions), /./, JSON.stringify(options));
  assert.throws(() => nodeCallbackListener({ confirmation: 'abc', rememberEvents: 0, onEvent }), RangeError);
});

test('nodeCallbackListener: a chunked body (no content-length) over maxBodyBytes is answered 413, undelivered', async () => {
  const delivered: GroupEvent[] = [];
  const server = http.createServer(nodeCallbackListener({ confirmation: 'abc', maxBodyBytes: 1000, onEvent: (e) => void delivered.push(e) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const body = Readable.from([Buffer.from(`{"type":"message_new","event_id":"big","padding":"${'x'.repeat(700)}`), Buffer.from(`${'x'.repeat(700)}"}`)]);
    const response = await request(url, { method: 'POST', body });
    assert.equal(response.statusCode, 413);
    assert.equal(response.headers['connection'], 'close');
    await response.body.text();
    assert.deepEqual(delivered, []);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
