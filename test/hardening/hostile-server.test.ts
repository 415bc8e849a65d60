// A server that misbehaves on purpose: asks to be left alone (429 with Retry-After),
// echoes the token in an error page, sends a body with no end, trickles it byte by
// byte, never answers, or drops every connection. Each ends in a bounded time with
// a typed error (or the result), and no secret in the error.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { API, TimeoutError, TransportError, type APIOptions } from '../../src/index.js';
import { DropConnection, RawReply, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { TestClients } from '../support/clients.js';
import { rejection } from '../support/rejection.js';

const bounded = { timeout: 5000 };
const token = 'vk1.a.HOSTILE_TEST_TOKEN_0123456789abcdefghijklmnopqrstuvwxyz';
let server: FakeVk;
let baseUrl = () => server.apiBaseUrl;
const clients = new TestClients(() => ({ accessToken: token, apiBaseUrl: baseUrl() }));
const client = (options: APIOptions = {}): API => clients.client(options);

/** When each users.get request arrived. */
let arrivals: number[] = [];
/** users.get answers in turn; the last one repeats. */
function answers(...replies: unknown[]): void {
  server.reply('users.get', () => {
    arrivals.push(performance.now());
    return replies[Math.min(arrivals.length - 1, replies.length - 1)];
  });
}

/** A raw HTTP server for faults the fake VK cannot make; every test closes its own. */
async function rawServer(handler: http.RequestListener): Promise<{ apiBaseUrl: string; close(): Promise<void> }> {
  const raw = http.createServer(handler);
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const { port } = raw.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}/method`,
    close: async () => {
      raw.closeAllConnections();
      await new Promise((resolve) => raw.close(resolve));
    },
  };
}

before(async () => {
  server = await startFakeVk({ tokens: [token] });
});

beforeEach(() => {
  arrivals = [];
  baseUrl = () => server.apiBaseUrl;
  server.requests.length = 0;
});

afterEach(() => clients.closeAll());

after(() => server.close());

describe('Retry-After', () => {
  test('429 with Retry-After in seconds: the retry waits as long as asked', bounded, async () => {
    answers(new RawReply(429, 'Too Many Requests', { 'retry-after': '1' }), [{ id: 1 }]);
    const api = client({ maxRetries: 1, retryDelay: { initial: 1, max: 5000 } });
    assert.deepEqual(await api.users.get({ user_ids: [1] }), [{ id: 1 }]);
    assert.equal(arrivals.length, 2);
    assert.ok(arrivals[1]! - arrivals[0]! >= 900, `retried after ${Math.round(arrivals[1]! - arrivals[0]!)} ms`);
  });

  test('429 with Retry-After as an HTTP date: the retry waits until then', bounded, async () => {
    const at = () => new Date(Date.now() + 2000).toUTCString(); // whole seconds: 1 to 2 s ahead
    answers(new RawReply(429, 'Too Many Requests', { 'retry-after': at() }), [{ id: 1 }]);
    const api = client({ maxRetries: 1, retryDelay: { initial: 1, max: 5000 } });
    assert.deepEqual(await api.users.get({ user_ids: [1] }), [{ id: 1 }]);
    assert.ok(arrivals[1]! - arrivals[0]! >= 900, `retried after ${Math.round(arrivals[1]! - arrivals[0]!)} ms`);
  });

  test(
    'Retry-After longer than the retry policy allows: no early retry, the error says how long',
    bounded,
    async () => {
      answers(new RawReply(429, 'Too Many Requests', { 'retry-after': '3600' }), [{ id: 1 }]);
      const api = client({ maxRetries: 3, retryDelay: { initial: 1, max: 50 } });
      const error = await rejection(api.users.get({ user_ids: [1] }));
      assert.ok(error instanceof TransportError && error.status === 429, String(error));
      assert.equal(error.retryAfter, 3_600_000);
      assert.equal(arrivals.length, 1, 'not retried before the server said');
    },
  );

  test('503 with Retry-After: honoured too', bounded, async () => {
    answers(new RawReply(503, 'Service Unavailable', { 'retry-after': '1' }), [{ id: 1 }]);
    const api = client({ maxRetries: 1, retryDelay: { initial: 1, max: 5000 } });
    assert.deepEqual(await api.users.get({ user_ids: [1] }), [{ id: 1 }]);
    assert.ok(arrivals[1]! - arrivals[0]! >= 900, `retried after ${Math.round(arrivals[1]! - arrivals[0]!)} ms`);
  });

  test('an unreadable Retry-After falls back to the backoff', bounded, async () => {
    answers(new RawReply(429, 'Too Many Requests', { 'retry-after': 'soon, maybe' }), [{ id: 1 }]);
    const api = client({ maxRetries: 1, retryDelay: { initial: 1, max: 5 } });
    assert.deepEqual(await api.users.get({ user_ids: [1] }), [{ id: 1 }]);
    assert.equal(arrivals.length, 2);
  });
});

describe('bodies', () => {
  test('an error page echoing the token across the excerpt cut: the excerpt holds no part of it', bounded, async () => {
    answers(new RawReply(502, `${'x'.repeat(190)}${token} and more text after it`));
    const error = await rejection(client().users.get({ user_ids: [1] }));
    assert.ok(error instanceof TransportError && error.bodyExcerpt !== undefined);
    assert.ok(!error.bodyExcerpt.includes(token.slice(0, 10)), error.bodyExcerpt);
  });

  test('a body with no end is cut off by size, not held until the timeout', bounded, async () => {
    const endless = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let sent = 0;
      // Stops writing at 64 MiB (never ending the body), so that a client without the cap fails by its timeout.
      const write = () => {
        while (sent < 64 && response.write(chunk)) sent += 1;
        if (sent < 64) response.once('drain', write);
      };
      response.write('{"response":"');
      write();
    });
    baseUrl = () => endless.apiBaseUrl;
    try {
      const error = await rejection(client({ timeout: 3000 }).users.get({ user_ids: [1] }));
      assert.ok(error instanceof TransportError && !(error instanceof TimeoutError), String(error));
      assert.match(error.message, /longer than/);
    } finally {
      await endless.close();
    }
  });

  test('a body trickled a byte at a time ends with a timeout', bounded, async () => {
    const trickle = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 20);
      response.on('close', () => clearInterval(timer));
    });
    baseUrl = () => trickle.apiBaseUrl;
    try {
      const error = await rejection(client({ timeout: 300 }).users.get({ user_ids: [1] }));
      assert.ok(error instanceof TimeoutError, String(error));
    } finally {
      await trickle.close();
    }
  });

  test('a server that never sends headers: a timeout', bounded, async () => {
    const silent = await rawServer(() => {});
    baseUrl = () => silent.apiBaseUrl;
    try {
      assert.ok((await rejection(client({ timeout: 300 }).users.get({ user_ids: [1] }))) instanceof TimeoutError);
    } finally {
      await silent.close();
    }
  });

  test('headers, then nothing: a timeout', bounded, async () => {
    const stalled = await rawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
    });
    baseUrl = () => stalled.apiBaseUrl;
    try {
      assert.ok((await rejection(client({ timeout: 300 }).users.get({ user_ids: [1] }))) instanceof TimeoutError);
    } finally {
      await stalled.close();
    }
  });

  test('a timeout on every attempt of a read: bounded by maxRetries', bounded, async () => {
    const silent = await rawServer(() => {});
    baseUrl = () => silent.apiBaseUrl;
    try {
      const api = client({ timeout: 100, maxRetries: 2, retryDelay: { initial: 1, max: 2 } });
      assert.ok((await rejection(api.users.get({ user_ids: [1] }))) instanceof TimeoutError);
    } finally {
      await silent.close();
    }
  });
});

describe('connections', () => {
  test('every connection dropped: the read fails after its retries', bounded, async () => {
    let drops = 0;
    const removeGate = server.gate(async () => {
      drops += 1;
      throw new DropConnection('hostile');
    });
    try {
      const api = client({ maxRetries: 2, retryDelay: { initial: 1, max: 2 } });
      assert.ok((await rejection(api.users.get({ user_ids: [1] }))) instanceof TransportError);
      assert.equal(drops, 3);
    } finally {
      removeGate();
    }
  });
});
