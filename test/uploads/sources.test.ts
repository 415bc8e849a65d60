// Every form a file may come in reaches the upload host byte for byte, with its name
// and type; sizes known up front go out as Content-Length, streams of unknown size
// chunked; progress counts the file's bytes; bad sources are refused before
// anything is sent.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { UploadError } from '../../src/uploads/upload-error.js';
import type { UploadProgress, UploadSource } from '../../src/uploads/upload-types.js';
import { rejection } from '../support/rejection.js';
import type { ReceivedFile } from '../../src/testing/upload-host.js';
import { startUploadFixture, type UploadFixture } from '../fakes/upload-fixture.js';

let fixture: UploadFixture;
let dir: string;
let files: http.Server;
let filesUrl: string;
const served = randomBytes(300_000);

before(async () => {
  fixture = await startUploadFixture();
  dir = await mkdtemp(join(tmpdir(), 'uploads-12-sources-'));
  // A file server: the file, a redirect to it, one without a length, a missing one.
  files = http.createServer((req, res) => {
    if (req.url === '/cat.png')
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': served.length }).end(served);
    else if (req.url === '/moved') res.writeHead(302, { location: '/cat.png' }).end();
    else if (req.url === '/download?id=7')
      res
        .writeHead(200, {
          'content-type': 'application/pdf',
          'content-disposition': 'attachment; filename="report.pdf"',
        })
        .end(served);
    else res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

beforeEach(() => {
  fixture.vk.requests.length = 0;
  fixture.host.requests.length = 0;
});

after(async () => {
  await fixture.close();
  await new Promise((resolve) => files.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Uploads `source` as a document and returns what the host received, and the request's length header. */
async function sent(source: UploadSource, onProgress?: (progress: UploadProgress) => void) {
  await fixture.client().upload.document({ source }, { onProgress });
  assert.equal(fixture.host.requests.length, 1);
  const [request] = fixture.host.requests;
  assert.equal(request!.files.length, 1);
  return {
    file: request!.files[0]!,
    length: request!.headers['content-length'],
    chunked: request!.headers['transfer-encoding'] === 'chunked',
  };
}

function expectFile(file: ReceivedFile, bytes: Uint8Array, filename: string, contentType: string) {
  assert.deepEqual(file, { field: 'file', filename, contentType, size: bytes.length, sha256: sha256(bytes) });
}

test('a Buffer, and a Uint8Array that is a view into a larger buffer, go out whole', async () => {
  const bytes = randomBytes(200_000);
  expectFile((await sent(bytes)).file, bytes, 'file.dat', 'application/octet-stream');
  fixture.host.requests.length = 0;
  const backing = randomBytes(400_000);
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 12_345, 250_000);
  const { file, length } = await sent(view);
  expectFile(file, view, 'file.dat', 'application/octet-stream');
  assert.ok(Number(length) > view.length, 'with a Content-Length');
});

test('a Blob and a File (its name and type kept)', async () => {
  const bytes = randomBytes(100_000);
  expectFile((await sent(new Blob([bytes], { type: 'image/gif' }))).file, bytes, 'file.dat', 'image/gif');
  fixture.host.requests.length = 0;
  expectFile((await sent(new File([bytes], 'anim.gif', { type: 'image/gif' }))).file, bytes, 'anim.gif', 'image/gif');
});

test('a stream of unknown size goes out chunked; one of stated size with a Content-Length', async () => {
  const bytes = randomBytes(500_000);
  const chunks = () => Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)], { objectMode: false });
  const progress: UploadProgress[] = [];
  const unsized = await sent(chunks(), (step) => progress.push(step));
  expectFile(unsized.file, bytes, 'file.dat', 'application/octet-stream');
  assert.equal(unsized.chunked, true);
  assert.equal(unsized.length, undefined);
  assert.ok(progress.every((step) => step.total === undefined));
  assert.equal(progress.at(-1)?.loaded, bytes.length);

  fixture.host.requests.length = 0;
  const sized = await sent({ value: chunks(), contentLength: bytes.length, filename: 'notes.txt' });
  expectFile(sized.file, bytes, 'notes.txt', 'text/plain');
  assert.equal(sized.chunked, false);
});

test('a web ReadableStream and an fs.ReadStream (whose size is read off the file)', async () => {
  const bytes = randomBytes(200_000);
  expectFile(
    (await sent({ value: new Blob([bytes]).stream(), filename: 'web.bin' })).file,
    bytes,
    'web.bin',
    'application/octet-stream',
  );
  fixture.host.requests.length = 0;
  const path = join(dir, 'clip.mp4');
  await writeFile(path, bytes);
  const fromFile = await sent({ value: createReadStream(path), filename: 'clip.mp4' });
  expectFile(fromFile.file, bytes, 'clip.mp4', 'video/mp4');
  assert.equal(fromFile.chunked, false, 'the size came from the file');
});

test('{ path } streams a local file under its own name, and reports progress up to its size', async () => {
  const bytes = randomBytes(3_000_000);
  const path = join(dir, 'photo.jpeg');
  await writeFile(path, bytes);
  const progress: UploadProgress[] = [];
  const { file } = await sent({ path }, (step) => progress.push(step));
  expectFile(file, bytes, 'photo.jpeg', 'image/jpeg');
  assert.ok(progress.length > 10, 'progress as the chunks go');
  assert.ok(
    progress.every((step, n) => step.total === bytes.length && (n === 0 || step.loaded > progress[n - 1]!.loaded)),
  );
  assert.equal(progress.at(-1)?.loaded, bytes.length);
});

test('{ url } is fetched through the session and streamed through, redirects followed, its name and type kept', async () => {
  const direct = await sent({ url: `${filesUrl}/cat.png` });
  expectFile(direct.file, served, 'cat.png', 'image/png');
  assert.equal(direct.chunked, false, "the download's length is the file's");
  fixture.host.requests.length = 0;
  expectFile((await sent({ url: new URL(`${filesUrl}/moved`) })).file, served, 'cat.png', 'image/png');
  fixture.host.requests.length = 0;
  expectFile((await sent({ url: `${filesUrl}/download?id=7` })).file, served, 'report.pdf', 'application/pdf');
  fixture.host.requests.length = 0;
  expectFile(
    (await sent({ value: { url: `${filesUrl}/cat.png` }, filename: 'kitten.png', contentType: 'image/x-cat' })).file,
    served,
    'kitten.png',
    'image/x-cat',
  );
});

test('{ value, filename, contentType } names a file of any form', async () => {
  const bytes = randomBytes(1000);
  expectFile((await sent({ value: bytes, filename: 'voice.ogg' })).file, bytes, 'voice.ogg', 'audio/ogg');
  fixture.host.requests.length = 0;
  expectFile((await sent({ value: bytes, filename: 'x', contentType: 'image/webp' })).file, bytes, 'x', 'image/webp');
});

test('bad sources are refused before anything is sent', async () => {
  const api = fixture.client();
  const cases: [object, new (...args: never[]) => Error, RegExp][] = [
    [{ source: 'cat.jpg' }, TypeError, /a source is a Buffer/],
    [{ source: 42 }, TypeError, /a source is a Buffer/],
    [{}, TypeError, /source \(the file\) is required/],
    [{ source: Buffer.alloc(0) }, RangeError, /the file is empty/],
    [
      { source: { value: Buffer.from('abc'), contentLength: 4 } },
      RangeError,
      /contentLength is 4, but the file has 3 bytes/,
    ],
    [{ source: { value: Buffer.from('abc'), filename: '' } }, TypeError, /filename/],
    [{ source: { path: join(dir, 'missing.jpg') } }, UploadError, /source step: cannot read .*missing\.jpg: ENOENT/],
    [{ source: { path: dir } }, UploadError, /is not a file/],
    [
      { source: { url: `${filesUrl}/gone.jpg?sig=SECRET` } },
      UploadError,
      /source step: http:\/\/127\.0\.0\.1:\d+\/gone\.jpg answered HTTP 404$/,
    ],
    [{ source: { url: 'ftp://example.org/a.jpg' } }, TypeError, /must be http: or https:/],
    [{ sources: [Buffer.from('a')] }, TypeError, /takes one file, as source/],
  ];
  for (const [params, type, message] of cases) {
    const error = await rejection(api.upload.document(params as never));
    assert.ok(error instanceof type, `${JSON.stringify(params)}: ${String(error)}`);
    assert.match((error as Error).message, message);
  }
  const albumCases: [object, RegExp][] = [
    [{ sources: [] }, /sources must hold 1 to 5 files, got 0/],
    [{ sources: Array.from({ length: 6 }, () => Buffer.from('a')) }, /got 6/],
    [{ source: Buffer.from('a') }, /takes its files as sources/],
  ];
  for (const [params, message] of albumCases) await assert.rejects(api.upload.albumPhotos(params as never), message);
  await assert.rejects(
    api.upload.document({ source: Buffer.from('a') }, { timeout: -1 }),
    /timeout must be a positive number/,
  );
  await assert.rejects(
    api.upload.document({ source: Buffer.from('a') }, { timeout: { upload: 0 } }),
    /timeout\.upload must be/,
  );
  await assert.rejects(api.upload.document({ source: Buffer.from('a') }, { maxRetries: 1.5 }), /maxRetries/);
  await assert.rejects(
    api.upload.document({ source: Buffer.from('a'), file: 'x' } as never),
    /file comes from the upload host's reply/,
  );
  await assert.rejects(
    api.upload.video({ source: Buffer.from('a'), link: 'https://youtu.be/x' } as never),
    /link cannot be set here/,
  );
  assert.deepEqual(fixture.vk.requests, []);
  assert.deepEqual(fixture.host.requests, []);
});

test('a stream that gives text, not bytes, fails the upload step, and nothing is saved', async () => {
  const error = await rejection(fixture.client().upload.document({ source: Readable.from(['text, not bytes']) }));
  assert.ok(error instanceof UploadError && error.step === 'upload', String(error));
  assert.match(String((error.cause as Error).message), /must give bytes/);
  assert.deepEqual(
    fixture.vk.requests.map((request) => request.path),
    ['/method/docs.getUploadServer'],
  );
});
