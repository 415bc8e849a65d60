// Cancellation reaches every await of a call that a server or a user callback
// controls: the limiter's queue, the send, the backoff, Retry-After, captcha answers,
// prompts and error handlers. The call rejects at once with the signal's reason; a
// callback still running is ignored and nothing is re-sent. Many calls under one
// signal leave one listener on it, not one each (no MaxListenersExceededWarning).

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { API, ApiErrorCode, type APIOptions, type ApiErrorRequest } from '../../src/index.js';
import { FakeApiError, RawReply, startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { TestClients } from '../support/clients.js';
import { rejection } from '../support/rejection.js';

const bounded = { timeout: 4000 };
let server: FakeVk;
let tokenSerial = 0;
/** A token of its own per client: the limiter is shared per token by the whole process. */
const freshToken = () => `vk1.a.CANCEL_TEST_TOKEN_${process.pid}_${(tokenSerial += 1)}`;
const clients = new TestClients(() => ({ accessToken: freshToken(), apiBaseUrl: server.apiBaseUrl }));
const client = (options: APIOptions = {}): API => clients.client(options);

/** `promise`, or a failure if it has not settled within `ms`: a hang fails the test instead of stalling it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; !condition(); i += 1) {
    if (i > 300) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const requestsTo = (method: string) => server.requests.filter((request) => request.path === `/method/${method}`).length;
const never = () => new Promise<never>(() => {});
const captcha = new FakeApiError({
  error_code: 14,
  error_msg: 'Captcha needed',
  captcha_sid: '77',
  captcha_img: 'https://api.vk.ru/captcha.php?sid=77',
});

/** Streams for interactive mode: collects what is written, types what a test writes. */
function terminal() {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { input, output, text: () => text };
}

/** Collects process warnings of one kind while a test runs. */
function leakWarnings(): { readonly seen: Error[]; stop(): Promise<void> } {
  const seen: Error[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === 'MaxListenersExceededWarning') seen.push(warning);
  };
  process.on('warning', onWarning);
  return {
    seen,
    async stop() {
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    },
  };
}

before(async () => {
  server = await startFakeVk();
});

beforeEach(() => {
  server.reply('users.get', [{ id: 1 }]);
  server.requests.length = 0;
});

afterEach(() => clients.closeAll());

after(() => server.close());

describe('a signal reaches every wait a callback controls', () => {
  test('abort while getCaptchaKey never answers: the call rejects with the reason', bounded, async () => {
    server.reply('users.get', captcha);
    const controller = new AbortController();
    let asked = false;
    const api = client({ getCaptchaKey: () => ((asked = true), never()) });
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    await until(() => asked, 'getCaptchaKey was asked');
    const reason = new Error('user gave up');
    controller.abort(reason);
    assert.equal(await within(rejection(call), 500, 'the aborted call'), reason);
    assert.equal(requestsTo('users.get'), 1);
  });

  test('abort while an apiErrorHandlers handler never settles: the call rejects with the reason', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 15, error_msg: 'Access denied' }));
    const controller = new AbortController();
    let handling = false;
    const api = client({ apiErrorHandlers: { [ApiErrorCode.Access]: () => ((handling = true), never()) } });
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    await until(() => handling, 'the handler runs');
    controller.abort(new Error('stop'));
    assert.equal(((await within(rejection(call), 500, 'the aborted call')) as Error).message, 'stop');
  });

  test('abort while onApiError never settles: the call rejects with the reason', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 15, error_msg: 'Access denied' }));
    const controller = new AbortController();
    let handling = false;
    const api = client({ onApiError: () => ((handling = true), never()) });
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    await until(() => handling, 'onApiError runs');
    controller.abort(new Error('stop'));
    assert.equal(((await within(rejection(call), 500, 'the aborted call')) as Error).message, 'stop');
  });

  test(
    'a handler that calls retry() after the abort: its result is ignored and nothing is re-sent',
    bounded,
    async () => {
      server.reply('users.get', new FakeApiError({ error_code: 15, error_msg: 'Access denied' }));
      const controller = new AbortController();
      let request: ApiErrorRequest | undefined;
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const api = client({
        apiErrorHandlers: {
          [ApiErrorCode.Access]: async (_error, handled) => {
            request = handled;
            await released;
            return handled.retry();
          },
        },
      });
      const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
      await until(() => request !== undefined, 'the handler runs');
      const reason = new Error('abandoned');
      controller.abort(reason);
      assert.equal(await within(rejection(call), 500, 'the aborted call'), reason);
      release();
      await assert.rejects(request!.retry(), (error) => error === reason);
      assert.equal(requestsTo('users.get'), 1, 'the late retry sent nothing');
    },
  );

  test(
    'abort during an interactive captcha prompt: the prompt is withdrawn and the next one works',
    bounded,
    async () => {
      server.reply('users.get', (params) => (params['captcha_key'] === 'right' ? [{ id: 1 }] : captcha));
      const streams = terminal();
      const api = client({ interactive: { input: streams.input, output: streams.output } });
      const controller = new AbortController();
      const first = api.users.get({ user_ids: [1] }, { signal: controller.signal });
      await until(() => streams.text().includes('Enter CAPTCHA key: '), 'the first prompt');
      const reason = new Error('prompt abandoned');
      controller.abort(reason);
      assert.equal(await within(rejection(first), 500, 'the aborted prompt'), reason);
      assert.equal(streams.input.listenerCount('data'), 0, 'the reader let go of the input');
      const second = api.users.get({ user_ids: [1] });
      await until(() => streams.text().split('Enter CAPTCHA key: ').length === 3, 'the second prompt');
      streams.input.write('right\n');
      assert.deepEqual(await within(second, 1000, 'the answered prompt'), [{ id: 1 }]);
    },
  );

  test('a prompt queued behind another and aborted rejects at once and is never asked', bounded, async () => {
    server.reply('users.get', (params) => (params['captcha_key'] === 'right' ? [{ id: 1 }] : captcha));
    const streams = terminal();
    const api = client({ interactive: { input: streams.input, output: streams.output } });
    const first = api.users.get({ user_ids: [1] });
    await until(() => streams.text().includes('Enter CAPTCHA key: '), 'the first prompt');
    const controller = new AbortController();
    const second = api.users.get({ user_ids: [2] }, { signal: controller.signal });
    await until(() => requestsTo('users.get') === 2, 'the second call met its captcha');
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('not now'));
    assert.equal(((await within(rejection(second), 500, 'the queued prompt')) as Error).message, 'not now');
    streams.input.write('right\n');
    assert.deepEqual(await within(first, 1000, 'the first prompt'), [{ id: 1 }]);
    assert.equal(streams.text().split('Enter CAPTCHA key: ').length, 2, 'the withdrawn question was never printed');
  });

  test('abort while interactive mode asks for the token: the call rejects with the reason', bounded, async () => {
    const streams = terminal();
    const api = clients.client({
      accessToken: undefined,
      interactive: { input: streams.input, output: streams.output },
    });
    const controller = new AbortController();
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    await until(() => streams.text().includes('VK API access token: '), 'the token prompt');
    controller.abort(new Error('no token today'));
    try {
      assert.equal(((await within(rejection(call), 500, 'the call')) as Error).message, 'no token today');
    } finally {
      streams.input.end(); // ends the prompt other calls could still be waiting on
    }
    assert.equal(requestsTo('users.get'), 0);
  });

  test('abort while waiting out a Retry-After: rejects with the reason, nothing re-sent', bounded, async () => {
    server.reply('users.get', new RawReply(429, 'Too Many Requests', { 'retry-after': '2' }));
    const api = client({ maxRetries: 1, retryDelay: { initial: 1, max: 5000 } });
    const controller = new AbortController();
    const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
    await until(() => requestsTo('users.get') === 1, 'the first request');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const reason = new Error('waited enough');
    controller.abort(reason);
    assert.equal(await within(rejection(call), 500, 'the aborted wait'), reason);
    assert.equal(requestsTo('users.get'), 1, 'no retry before the server said');
  });

  test('abort during the backoff between retries: rejects with the reason, nothing re-sent', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 10, error_msg: 'Internal server error' }));
    const random = Math.random;
    Math.random = () => 1; // the longest backoff: the abort surely comes during it
    try {
      const api = client({ maxRetries: 1, retryDelay: { initial: 3000, max: 3000 } });
      const controller = new AbortController();
      const call = api.users.get({ user_ids: [1] }, { signal: controller.signal });
      await until(() => requestsTo('users.get') === 1, 'the first request');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reason = new Error('enough');
      controller.abort(reason);
      assert.equal(await within(rejection(call), 500, 'the aborted backoff'), reason);
      assert.equal(requestsTo('users.get'), 1);
    } finally {
      Math.random = random;
    }
  });
});

describe('many calls under one signal', () => {
  test(
    '50 calls queued at the limiter: one listener on the signal, no leak warning, all rejected',
    bounded,
    async () => {
      const warnings = leakWarnings();
      const controller = new AbortController();
      const api = client({ rateLimit: 1 });
      // The first call is granted at once and may be answered before the abort.
      const first = api.users.get({ user_ids: [0] }, { signal: controller.signal }).catch(() => {});
      const queued = Array.from({ length: 49 }, (_, i) =>
        rejection(api.users.get({ user_ids: [i + 1] }, { signal: controller.signal })),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(getEventListeners(controller.signal, 'abort').length <= 1, 'one listener, not one per call');
      const reason = new Error('shutdown');
      controller.abort(reason);
      const errors = await within(Promise.all(queued), 1000, 'the aborted calls');
      assert.ok(errors.every((error) => error === reason));
      await first;
      await warnings.stop();
      assert.deepEqual(warnings.seen, []);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'nothing left listening');
    },
  );

  test('50 batched calls under one signal: one listener on it, all rejected with its reason', bounded, async () => {
    const warnings = leakWarnings();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const removeGate = server.gate(async (_request, method, next) => {
      if (method === 'execute') await released;
      return next();
    });
    try {
      const controller = new AbortController();
      const api = client({ batching: true, rateLimit: 1 });
      const calls = Array.from({ length: 50 }, (_, i) =>
        rejection(api.users.get({ user_ids: [i] }, { signal: controller.signal })),
      );
      await until(() => requestsTo('execute') === 1, 'the first batch is in flight');
      assert.ok(getEventListeners(controller.signal, 'abort').length <= 1, 'one listener, not one per call');
      const reason = new Error('shutdown');
      controller.abort(reason);
      const errors = await within(Promise.all(calls), 1000, 'the aborted calls');
      assert.ok(errors.every((error) => error === reason));
      await warnings.stop();
      assert.deepEqual(warnings.seen, []);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    } finally {
      release();
      removeGate();
    }
  });

  test('50 calls waiting in an error handler under one signal: one listener, all rejected', bounded, async () => {
    server.reply('users.get', new FakeApiError({ error_code: 15, error_msg: 'Access denied' }));
    const warnings = leakWarnings();
    let handling = 0;
    const controller = new AbortController();
    const api = client({ apiErrorHandlers: { [ApiErrorCode.Access]: () => ((handling += 1), never()) } });
    const calls = Array.from({ length: 50 }, (_, i) =>
      rejection(api.users.get({ user_ids: [i] }, { signal: controller.signal })),
    );
    await until(() => handling === 50, 'every call is in its handler');
    assert.ok(getEventListeners(controller.signal, 'abort').length <= 1, 'one listener, not one per call');
    const reason = new Error('shutdown');
    controller.abort(reason);
    const errors = await within(Promise.all(calls), 1000, 'the aborted calls');
    assert.ok(errors.every((error) => error === reason));
    await warnings.stop();
    assert.deepEqual(warnings.seen, []);
  });
});
