// The forms a file may come in (bytes, a Blob, a stream, a local path, a URL), each
// made into one shape: a name, a type, a size when it is known, and a way to read it
// in chunks, so that a file of any size streams through without being held whole.

import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Dispatcher } from 'undici';
import { undici } from '../http/load-undici.js';
import { UploadError } from './upload-error.js';
import type { UploadBytes, UploadSource } from './upload-types.js';

/** One file to send. */
export interface UploadFile {
  readonly filename: string;
  readonly contentType: string;
  /** Bytes, when known before reading: then the request carries a Content-Length. */
  readonly size: number | undefined;
  /** The bytes from the start, in chunks of at most 64 KiB. */
  open(): AsyncIterable<Uint8Array>;
  /** Whether `open()` may be called again: a stream is read once. */
  readonly reopenable: boolean;
  /** Releases what the file holds open (a stream, a download). */
  close(): void;
}

export interface SourceContext {
  /** What the error messages call the upload, e.g. `messagePhoto`. */
  readonly kind: string;
  readonly defaultFilename: string;
  /** The session's dispatcher, for `{ url }` sources. */
  readonly dispatcher: () => Dispatcher;
  /** Milliseconds to wait for a `{ url }` source's headers. */
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
}

/** form-data-encoder re-slices larger chunks from their buffer's start, which is
 * wrong for a view into a bigger buffer (`Buffer.subarray`, pooled buffers). */
const chunkBytes = 65_536;
const maxRedirects = 5;

/** The files of `sources`, opened; throws, having closed them, if one cannot be read. */
export async function openSources(sources: readonly UploadSource[], context: SourceContext): Promise<UploadFile[]> {
  const files: UploadFile[] = [];
  try {
    for (const source of sources) files.push(await openSource(source, context));
    return files;
  } catch (error) {
    for (const file of files) file.close();
    throw error;
  }
}

interface FileMeta {
  filename?: string | undefined;
  contentType?: string | undefined;
  contentLength?: number | undefined;
}

async function openSource(source: UploadSource, context: SourceContext): Promise<UploadFile> {
  if (isRecord(source) && 'value' in source) {
    const { value, filename, contentType, contentLength } = source;
    if (filename !== undefined && (typeof filename !== 'string' || filename === ''))
      throw new TypeError(`${context.kind}: source.filename must be a non-empty string`);
    if (contentType !== undefined && typeof contentType !== 'string')
      throw new TypeError(`${context.kind}: source.contentType must be a string`);
    if (contentLength !== undefined && !(Number.isSafeInteger(contentLength) && contentLength >= 0))
      throw new TypeError(`${context.kind}: source.contentLength must be a whole number of bytes`);
    return checked(await openBytes(value, { filename, contentType, contentLength }, context), contentLength, context);
  }
  return checked(await openBytes(source, {}, context), undefined, context);
}

/** Refuses an empty file, and a stated length the file does not have, before anything is sent. */
function checked(file: UploadFile, contentLength: number | undefined, context: SourceContext): UploadFile {
  const problem =
    file.size === 0
      ? 'the file is empty'
      : contentLength !== undefined && file.size !== contentLength
        ? `contentLength is ${contentLength}, but the file has ${file.size} bytes`
        : undefined;
  if (problem === undefined) return file;
  file.close();
  throw new RangeError(`${context.kind}: ${problem}`);
}

async function openBytes(bytes: UploadBytes, meta: FileMeta, context: SourceContext): Promise<UploadFile> {
  if (bytes instanceof Uint8Array) return memoryFile(bytes, meta, context);
  if (bytes instanceof Blob) return blobFile(bytes, meta, context);
  if (isAsyncIterable(bytes)) return streamFile(bytes, meta, context);
  if (isRecord(bytes) && 'path' in bytes && typeof bytes.path === 'string') return pathFile(bytes.path, meta, context);
  if (isRecord(bytes) && 'url' in bytes && (typeof bytes.url === 'string' || bytes.url instanceof URL))
    return urlFile(bytes.url, meta, context);
  throw new TypeError(
    `${context.kind}: a source is a Buffer, Uint8Array, Blob, stream, { path }, { url } or { value, filename?, contentType? }`,
  );
}

function memoryFile(bytes: Uint8Array, meta: FileMeta, context: SourceContext): UploadFile {
  const filename = meta.filename ?? context.defaultFilename;
  return {
    filename,
    contentType: meta.contentType ?? typeOf(filename),
    size: bytes.byteLength,
    open: () => inChunks([bytes]),
    reopenable: true,
    close: () => {},
  };
}

function blobFile(blob: Blob, meta: FileMeta, context: SourceContext): UploadFile {
  const named = (blob as Partial<File>).name;
  const filename = meta.filename ?? (named || context.defaultFilename);
  return {
    filename,
    contentType: meta.contentType ?? (blob.type || typeOf(filename)),
    size: blob.size,
    open: () => inChunks(blob.stream()),
    reopenable: true,
    close: () => {},
  };
}

async function streamFile(stream: AsyncIterable<unknown>, meta: FileMeta, context: SourceContext): Promise<UploadFile> {
  const filename = meta.filename ?? context.defaultFilename;
  let started = false;
  return {
    filename,
    contentType: meta.contentType ?? typeOf(filename),
    size: meta.contentLength ?? (await wholeFileStreamSize(stream)),
    open: () =>
      (async function* () {
        started = true;
        yield* inChunks(stream);
      })(),
    // Until a chunk is asked for, the stream is untouched, and a request refused
    // before it was written may be sent again.
    get reopenable() {
      return !started;
    },
    close: () => release(stream),
  };
}

/** The size of an `fs.createReadStream(path)` that reads the whole file. */
async function wholeFileStreamSize(stream: AsyncIterable<unknown>): Promise<number | undefined> {
  if (!(stream instanceof ReadStream) || typeof stream.path !== 'string' || stream.bytesRead > 0) return undefined;
  const { start, end } = stream as ReadStream & { start?: number; end?: number };
  if ((start !== undefined && start !== 0) || (end !== undefined && end !== Infinity)) return undefined;
  return stat(stream.path).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined,
  );
}

async function pathFile(path: string, meta: FileMeta, context: SourceContext): Promise<UploadFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UploadError('source', `${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw new UploadError('source', `cannot read ${path}: ${describe(error)}`, { cause: error });
  }
  const filename = meta.filename ?? basename(path);
  const streams = new Set<ReadStream>();
  return {
    filename,
    contentType: meta.contentType ?? typeOf(filename),
    size,
    // Opened when the first chunk is asked for, so that a request that never starts holds no descriptor.
    open: () =>
      (async function* () {
        const stream = createReadStream(path, { highWaterMark: chunkBytes });
        streams.add(stream);
        yield* inChunks(stream);
      })(),
    reopenable: true,
    close: () => streams.forEach((stream) => stream.destroy()),
  };
}

async function urlFile(url: string | URL, meta: FileMeta, context: SourceContext): Promise<UploadFile> {
  const { response, finalUrl } = await fetchSource(new URL(url), context);
  const { headers } = response;
  const length = header(headers, 'content-length');
  const encoded = header(headers, 'content-encoding');
  const filename =
    meta.filename ?? filenameOf(header(headers, 'content-disposition'), finalUrl) ?? context.defaultFilename;
  const served = header(headers, 'content-type')?.split(';')[0]?.trim();
  const file = await streamFile(response.body, { ...meta, filename }, context);
  return {
    filename,
    contentType: meta.contentType ?? (served || typeOf(filename)),
    // A compressed body's length is not the file's: undici hands the bytes over as they came.
    size:
      meta.contentLength ??
      (length !== undefined && /^\d+$/.test(length) && encoded === undefined ? Number(length) : undefined),
    open: () => file.open(),
    get reopenable() {
      return file.reopenable;
    },
    close: () => file.close(),
  };
}

/** GETs a source URL through the session's dispatcher, following up to 5 redirects;
 * the response's body is left to read. */
async function fetchSource(
  start: URL,
  context: SourceContext,
): Promise<{ response: Dispatcher.ResponseData; finalUrl: URL }> {
  let url = start;
  for (let redirects = 0; ; redirects += 1) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`${context.kind}: a source URL must be http: or https:, got ${url.protocol}`);
    // The query may carry a signature: never in a message.
    const shown = `${url.origin}${url.pathname}`;
    let response: Dispatcher.ResponseData;
    try {
      response = await undici().request(url, {
        dispatcher: context.dispatcher(),
        method: 'GET',
        signal: context.signal,
        headersTimeout: context.timeout,
        // Read as the POST sends it; the POST's own timer catches a stall.
        bodyTimeout: 0,
      });
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      throw new UploadError('source', `cannot fetch ${shown}: ${describe(error)}`, { cause: error });
    }
    const location = header(response.headers, 'location');
    if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined && redirects < maxRedirects) {
      await response.body.dump();
      url = new URL(location, url);
      continue;
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return { response, finalUrl: url };
    await response.body.dump().catch(() => {});
    throw new UploadError('source', `${shown} answered HTTP ${response.statusCode}`, { status: response.statusCode });
  }
}

/** The bytes of `source` in chunks of at most 64 KiB (views, not copies). */
async function* inChunks(
  source: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) {
    if (!(chunk instanceof Uint8Array))
      throw new TypeError(
        'an upload source stream must give bytes (Buffer or Uint8Array): do not set an encoding on it',
      );
    for (let at = 0; at < chunk.byteLength; at += chunkBytes) yield chunk.subarray(at, at + chunkBytes);
  }
}

function release(stream: AsyncIterable<unknown>): void {
  const { destroy, cancel, locked } = stream as { destroy?: unknown; cancel?: unknown; locked?: unknown };
  if (typeof destroy === 'function') (stream as unknown as { destroy(): void }).destroy();
  else if (typeof cancel === 'function' && locked !== true) (stream as ReadableStream).cancel().catch(() => {});
}

/** The file name a download says, else the last segment of its URL if it has an extension. */
function filenameOf(disposition: string | undefined, url: URL): string | undefined {
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition ?? '')?.[1];
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition ?? '')?.[1];
  const fromUrl = url.pathname.split('/').pop();
  const name = extended ?? plain ?? (fromUrl && extname(fromUrl) ? fromUrl : undefined);
  if (name === undefined) return undefined;
  try {
    return basename(decodeURIComponent(name.trim())) || undefined;
  } catch {
    return basename(name.trim()) || undefined;
  }
}

const typesByExtension: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.avi': 'video/x-msvideo',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/opus',
  '.mp3': 'audio/mpeg',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
};

function typeOf(filename: string): string {
  return typesByExtension[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
