// How each step fails: VK's errors of the API calls stay ApiErrors; the upload host's
// refusals (an HTML page, an {error}, a 5xx, an empty photo list) are UploadErrors of
// the upload step with the reply, censored; the save step never runs after a failed
// upload; the POST is sent again only when the host cannot have stored the file; an
// abort or a stalled host stops the POST mid-body. The POST goes through the session's
// dispatcher and proxy.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { Agent, type Dispatcher } from 'undici';
import { ApiError, TimeoutError, TransportError } from '../../src/index.js';
import { UploadError } from '../../src/uploads/upload-error.js';
import { DropConnection, FakeApiError } from '../../src/testing/fake-vk.js';
import { serveUploadMethods } from '../../src/testing/upload-methods.js';
import { startUploadFixture, type UploadFixture } from '../fakes/upload-fixture.js';
import { rejection } from '../support/rejection.js';
import { startTunnelProxy } from '../support/tunnel-proxy.js';

let fixture: UploadFixture;

before(async () => {
  fixture = await startUploadFixture();
});

beforeEach(() => {
  serveUploadMethods(fixture.vk, fixture.host);
  fixture.vk.requests.length = 0;
  fixture.host.requests.length = 0;
});

after(() => fixture.close());

const calls = () => fixture.vk.requests.map((request) => request.path.replace('/method/', ''));
const photo = () => ({ peer_id: 1, source: randomBytes(10_000) });

async function uploadError(promise: Promise<unknown>, step: string): Promise<UploadError> {
  const error = await rejection(promise);
  assert.ok(error instanceof UploadError, String(error));
  assert.equal(error.step, step);
  return error;
}

test('a VK error of the upload-server method stays an ApiError, and nothing is posted', async () => {
  fixture.vk.replyError('photos.getMessagesUploadServer', {
    error_code: 901,
    error_msg: "Can't send messages for users without permission",
  });
  const error = await rejection(fixture.client().upload.messagePhoto(photo()));
  assert.ok(error instanceof ApiError && error.code === 901, String(error));
  assert.deepEqual(fixture.host.requests, []);
  assert.deepEqual(calls(), ['photos.getMessagesUploadServer']);
});

test('an upload-server reply without an upload_url is an UploadError of the server step', async () => {
  fixture.vk.reply('photos.getMessagesUploadServer', { album_id: -3 });
  const error = await uploadError(fixture.client().upload.messagePhoto(photo()), 'server');
  assert.match(error.message, /^Upload failed at the server step: the reply has no upload_url$/);
  fixture.vk.reply('photos.getMessagesUploadServer', { upload_url: 'javascript:alert(1)' });
  await uploadError(fixture.client().upload.messagePhoto(photo()), 'server');
  assert.deepEqual(fixture.host.requests, []);
});

test('the "Security Breach2" page is an UploadError of the upload step, with the page censored, and no save', async () => {
  const page = `<html><head><title>Security Breach2</title></head><body>Security Breach2 ${'x'.repeat(50)} access_token=vk1.a.SOMEONE_ELSES_TOKEN_0123456789abcdef&v=5.199</body></html>`;
  fixture.host.answerNext({ body: page, contentType: 'text/html; charset=windows-1251' });
  const error = await uploadError(fixture.client().upload.messagePhoto(photo()), 'upload');
  assert.equal(
    error.message,
    'Upload failed at the upload step: the upload host answered with a page that is not JSON (HTTP 200)',
  );
  assert.equal(error.status, 200);
  assert.match(error.reply!, /<title>Security Breach2<\/title>/);
  assert.match(error.reply!, /access_token=vk1\.\*\*\*/);
  assert.doesNotMatch(JSON.stringify(error) + String(error.reply), /SOMEONE_ELSES_TOKEN/);
  assert.deepEqual(calls(), ['photos.getMessagesUploadServer']);
});

test('an {error} reply is an UploadError of the upload step saying why', async () => {
  fixture.host.answerNext({ body: { error: 'ERR_UPLOAD_BAD_IMAGE_SIZE: market photo min size 400x400' } });
  const error = await uploadError(
    fixture.client().upload.marketProductPhoto({ group_id: 5, source: randomBytes(100) }),
    'upload',
  );
  assert.match(
    error.message,
    /the upload host refused the file: ERR_UPLOAD_BAD_IMAGE_SIZE: market photo min size 400x400$/,
  );
  fixture.host.answerNext({ body: { error: { error_code: 1, type: 'too_big' } } });
  assert.match(
    (await uploadError(fixture.client().upload.storyPhoto({ source: randomBytes(100) }), 'upload')).message,
    /"type":"too_big"/,
  );
  fixture.host.answerNext({ body: { errcode: 14 } });
  assert.match(
    (await uploadError(fixture.client().upload.document({ source: randomBytes(100) }), 'upload')).message,
    /errcode 14$/,
  );
  // And a document sent in a field the host does not read:
  fixture.host.answerNext({ body: { error: 'no_file' } });
  await uploadError(fixture.client().upload.document({ source: randomBytes(100) }), 'upload');
  assert.deepEqual(calls(), [
    'market.getProductPhotoUploadServer',
    'stories.getPhotoUploadServer',
    'docs.getUploadServer',
    'docs.getUploadServer',
  ]);
});

test('a photo the host stored nothing of (an empty photo list) is an UploadError, not a save that fails', async () => {
  fixture.host.answerNext({ body: { server: 625831, photo: '[]', hash: '5d1b' } });
  const error = await uploadError(fixture.client().upload.wallPhoto({ source: randomBytes(100) }), 'upload');
  assert.match(error.message, /stored nothing \("photo" is an empty list\)/);
  assert.deepEqual(calls(), ['photos.getWallUploadServer']);
});

test('a 5xx from the host is an UploadError with its status; the POST is not sent again, as the host may have stored it', async () => {
  fixture.host.answerNext({ status: 502, body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' });
  const error = await uploadError(fixture.client().upload.messagePhoto(photo(), { maxRetries: 3 }), 'upload');
  assert.equal(error.status, 502);
  assert.match(error.reply!, /502 Bad Gateway/);
  assert.equal(fixture.host.requests.length, 1);
  assert.deepEqual(calls(), ['photos.getMessagesUploadServer']);
});

test('an HTTP 429 is sent again: the host refused it unstored', async () => {
  fixture.host.answerNext({ status: 429, body: 'slow down', contentType: 'text/plain' });
  const saved = await fixture.client().upload.messagePhoto(photo(), { maxRetries: 1 });
  assert.equal(saved.length, 1);
  assert.equal(fixture.host.requests.length, 2);
  assert.deepEqual(calls(), ['photos.getMessagesUploadServer', 'photos.saveMessagesPhoto']);
});

test('a 429 after a stream was read is not sent again: the stream cannot be read twice', async () => {
  fixture.host.answerNext({ status: 429, body: 'slow down', contentType: 'text/plain' });
  const error = await uploadError(
    fixture.client().upload.document({ source: Readable.from([randomBytes(1000)]) }, { maxRetries: 2 }),
    'upload',
  );
  assert.match(error.message, /the stream was read already and cannot be sent again$/);
  assert.equal(fixture.host.requests.length, 1);
  assert.deepEqual(calls(), ['docs.getUploadServer']);
});

/** A dispatcher of the user's own that counts the requests to `port`. */
class CountingAgent extends Agent {
  count = 0;
  constructor(private readonly port: number) {
    super();
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (String(options.origin).endsWith(`:${this.port}`)) this.count += 1;
    return super.dispatch(options, handler);
  }
}

test("a refused connection is tried again (the host never saw the file), through the session's own dispatcher", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  fixture.vk.reply('docs.getUploadServer', { upload_url: `http://127.0.0.1:${port}/upload.php?act=doc` });
  const dispatcher = new CountingAgent(port);
  try {
    const error = await uploadError(
      fixture.client({ dispatcher }).upload.document({ source: randomBytes(100) }, { maxRetries: 1 }),
      'upload',
    );
    assert.ok(error.cause instanceof TransportError);
    assert.equal((error.cause.cause as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(dispatcher.count, 2, 'the first try and one retry');
    assert.deepEqual(calls(), ['docs.getUploadServer']);
  } finally {
    await dispatcher.close();
  }
});

test("the POST goes through the session's proxy, in a CONNECT tunnel to the upload host", async () => {
  const proxy = await startTunnelProxy();
  try {
    await fixture.client({ proxy: proxy.url }).upload.document({ source: randomBytes(50_000) });
    const hostTarget = new URL(fixture.host.url).host;
    const tunnel = proxy.tunnels.find((t) => t.target === hostTarget);
    assert.ok(tunnel, `tunnels: ${proxy.tunnels.map((t) => t.target).join(', ')}`);
    assert.ok(tunnel.bytesUp > 50_000, 'the file went through it');
  } finally {
    await proxy.close();
  }
});

test('a VK error of the save method stays an ApiError, and the save is sent once', async () => {
  fixture.vk.reply('docs.save', () => {
    throw new FakeApiError({ error_code: 1150, error_msg: 'Invalid document hash' });
  });
  const error = await rejection(fixture.client({ maxRetries: 3 }).upload.document({ source: randomBytes(100) }));
  assert.ok(error instanceof ApiError && error.code === 1150, String(error));
  assert.deepEqual(calls(), ['docs.getUploadServer', 'docs.save']);
});

test('a save whose reply is lost is an UploadError of the save step, and is not sent again', async () => {
  const remove = fixture.vk.gate(async (_request, method, next) => {
    if (method === 'docs.save') throw new DropConnection();
    return next();
  });
  try {
    const error = await uploadError(
      fixture.client({ maxRetries: 3 }).upload.document({ source: randomBytes(100) }),
      'save',
    );
    assert.ok(error.cause instanceof TransportError);
    assert.deepEqual(calls(), ['docs.getUploadServer', 'docs.save']);
  } finally {
    remove();
  }
});

test('an abort mid-upload stops the POST where it is, rejects with the reason, and saves nothing', async () => {
  const { arrived, release } = fixture.host.hold();
  const controller = new AbortController();
  const reason = new Error('the user cancelled');
  let loaded = 0;
  const upload = fixture.client().upload.video(
    { name: 'big', source: randomBytes(32 * 1024 * 1024) },
    {
      signal: controller.signal,
      onProgress: (progress) => {
        loaded = progress.loaded;
        // Once the first chunks are out and the host has the request, cancel.
        if (loaded >= 256 * 1024) controller.abort(reason);
      },
    },
  );
  const failure = rejection(upload);
  const request = await arrived;
  assert.equal(await failure, reason);
  // The host reads on, and finds the body cut short.
  release();
  await request.closed;
  assert.ok(request.aborted, 'the host saw the request end before its body did');
  assert.ok(loaded < 32 * 1024 * 1024);
  assert.deepEqual(calls(), ['video.save']);
});

test('a host that stops reading fails the upload after the idle timeout, however long the upload may take', async () => {
  const { release } = fixture.host.hold();
  try {
    const error = await uploadError(
      fixture.client().upload.document({ source: randomBytes(16 * 1024 * 1024) }, { timeout: { upload: 300 } }),
      'upload',
    );
    assert.equal(
      error.message,
      'Upload failed at the upload step: nothing moved to or from the upload host for 300 ms',
    );
    assert.ok(error.cause instanceof TimeoutError);
    assert.deepEqual(calls(), ['docs.getUploadServer']);
  } finally {
    release();
  }
});

test('an abort before the upload starts rejects with the reason, and calls nothing', async () => {
  const reason = new Error('not now');
  assert.equal(
    await rejection(
      fixture.client().upload.document({ source: randomBytes(10) }, { signal: AbortSignal.abort(reason) }),
    ),
    reason,
  );
  assert.deepEqual(calls(), []);
});
