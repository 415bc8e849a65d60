// The auth flows go through the session's own dispatcher: its proxy and its timeout
// apply to the login pages and `/token` as they do to API calls.

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { DirectUserAPI, TimeoutError, UserAPI } from '../../src/index.js';
import { alice, apiCalls, fakeVk, rejection, track, useAuthFixtures } from '../support/auth-fixture.js';

useAuthFixtures();

/** An HTTP proxy on 127.0.0.1 that tunnels CONNECTs for any host to `targetPort`
 * (so the made-up host `vk.test` only resolves through it) and records the targets. */
async function startProxy(targetPort: number) {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

describe('auth requests share the session transport', () => {
  test('a proxy carries the login pages, the token request and the API calls', async () => {
    const fixture = await fakeVk([alice]);
    const port = new URL(fixture.server.url).port;
    const proxy = await startProxy(Number(port));
    try {
      const host = `http://vk.test:${port}`;
      const urls = {
        apiBaseUrl: `${host}/method`,
        oauthBaseUrl: `${host}/oauth`,
        mobileBaseUrl: `${host}/m`,
        proxy: proxy.url,
      };
      const user = track(new UserAPI({ userLogin: alice.login, userPassword: alice.password, ...urls }));
      const [me] = await user.users.get({ user_ids: [1] });
      assert.equal(me?.id, alice.userId);
      const direct = track(new DirectUserAPI({ userLogin: alice.login, userPassword: alice.password, ...urls }));
      await direct.authorize();

      assert.ok(proxy.tunnels.length > 0);
      assert.ok(
        proxy.tunnels.every((target) => target === `vk.test:${port}`),
        proxy.tunnels.join(),
      );
      const hosts = new Set(fixture.server.requests.map((request) => request.headers.host));
      assert.deepEqual([...hosts], [`vk.test:${port}`], 'every request, login pages included, came through the proxy');
      assert.ok(fixture.server.requests.some((request) => request.path === '/oauth/token'));
      assert.equal(apiCalls(fixture).length, 1);
    } finally {
      await proxy.close();
    }
  });

  test("the session's timeout bounds each login request", async () => {
    const fixture = await fakeVk([alice]);
    fixture.server.route('/oauth/authorize', () => new Promise(() => {}));
    fixture.server.route('/oauth/token', () => new Promise(() => {}));
    for (const session of [
      new UserAPI({ userLogin: alice.login, userPassword: alice.password, timeout: 200, ...fixture.urls }),
      new DirectUserAPI({ userLogin: alice.login, userPassword: alice.password, timeout: 200, ...fixture.urls }),
    ]) {
      const started = Date.now();
      const error = await rejection(track(session).authorize());
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.timeout, 200);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 3000, `took ${elapsed} ms`);
    }
  });
});
