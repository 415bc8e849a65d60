// The `proxy` option: every request of a session, API calls and the auth flows'
// requests alike, goes through undici's ProxyAgent, which tunnels with CONNECT. A
// small proxy on 127.0.0.1 (support/tunnel-proxy.ts) counts what passes through it.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { API, TransportError, type APIOptions } from '../../src/index.js';
import { RawReply, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { startTunnelProxy as startProxy, type TunnelProxy } from '../support/tunnel-proxy.js';

const token = 'vk1.a.PROXY_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz';

let server: FakeVk;
let proxy: TunnelProxy;
const clients: API[] = [];

function client(options: APIOptions = {}): API {
  const api = new API({ accessToken: token, apiBaseUrl: server.apiBaseUrl, rateLimit: false, ...options });
  clients.push(api);
  return api;
}

/** What an auth flow does with the session's HTTP client (see src/auth/). */
class AuthProbe extends API {
  async fetchLoginPage(url: string): Promise<number> {
    const response = await this.transport.dispatcher.request({
      origin: new URL(url).origin,
      path: '/login',
      method: 'GET',
    });
    await response.body.dump();
    return response.statusCode;
  }
}

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  server.reply('users.get', (params) => [{ id: Number(params['user_ids']) }]);
  server.route('/login', () => new RawReply(200, 'login page'));
});

beforeEach(async () => {
  await proxy?.close();
  proxy = await startProxy();
  server.requests.length = 0;
});

after(async () => {
  await Promise.all(clients.map((api) => api.close()));
  await proxy.close();
  await server.close();
});

const serverHost = () => new URL(server.url).host;

test('API calls go through the proxy, in a CONNECT tunnel to VK, and reuse it', async () => {
  const api = client({ proxy: proxy.url });
  for (let id = 1; id <= 3; id += 1) assert.deepEqual(await api.users.get({ user_ids: [id] }), [{ id }]);
  assert.equal(server.requests.length, 3);
  assert.deepEqual(
    proxy.tunnels.map((tunnel) => tunnel.target),
    [serverHost()],
    'one tunnel, kept alive',
  );
  assert.ok(proxy.tunnels[0]!.bytesUp > 3 * token.length, 'the requests (token and all) went through it');
});

test('the auth flows share the proxy: they use the same dispatcher', async () => {
  const probe = new AuthProbe({ proxy: proxy.url });
  clients.push(probe);
  assert.equal(await probe.fetchLoginPage(server.url), 200);
  assert.deepEqual(
    proxy.tunnels.map((tunnel) => tunnel.target),
    [serverHost()],
  );
  assert.equal(server.requests.at(-1)?.path, '/login');
});

test('without the option nothing goes through a proxy', async () => {
  await client().users.get({ user_ids: [1] });
  assert.equal(server.requests.length, 1);
  assert.equal(proxy.tunnels.length, 0);
});

test('credentials in the proxy URL are sent to the proxy, and never appear in errors', async () => {
  await proxy.close();
  proxy = await startProxy('bot:s3cret-pa55word');
  const api = client({ proxy: `http://bot:s3cret-pa55word@${new URL(proxy.url).host}` });
  assert.deepEqual(await api.users.get({ user_ids: [1] }), [{ id: 1 }]);
  assert.equal(proxy.tunnels[0]?.proxyAuthorization, `Basic ${Buffer.from('bot:s3cret-pa55word').toString('base64')}`);

  const wrong = client({ proxy: `http://bot:wrong-pa55word@${new URL(proxy.url).host}`, maxRetries: 0 });
  const error = await wrong.users.get({ user_ids: [1] }).catch((failure: unknown) => failure);
  assert.ok(error instanceof TransportError, String(error));
  assert.match(error.message, /407/);
  assert.ok(!JSON.stringify({ message: error.message, stack: error.stack }).includes('wrong-pa55word'));
  assert.ok(!error.message.includes(token));
});

test('a call given up while its connection is still being made is never sent', async () => {
  await proxy.close();
  proxy = await startProxy(undefined, 300);
  const api = client({ proxy: proxy.url });
  const controller = new AbortController();
  const reason = new Error('gave up');
  const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 50);
  const started = Date.now();
  assert.equal(await call.catch((failure: unknown) => failure), reason);
  assert.ok(Date.now() - started < 250, 'rejected at once, not when the tunnel opened');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(proxy.tunnels.length, 1, 'the tunnel did open');
  assert.equal(server.requests.length, 0, 'but the request was dropped before it was written');
});

test('a proxy that is down is a TransportError (and nothing reached VK)', async () => {
  await proxy.close();
  const api = client({ proxy: proxy.url, maxRetries: 1, retryDelay: { initial: 1, max: 1 } });
  const error = await api.users.get({ user_ids: [1] }).catch((failure: unknown) => failure);
  assert.ok(error instanceof TransportError, String(error));
  assert.equal(server.requests.length, 0);
});
