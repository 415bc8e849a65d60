// The multipart/form-data body of an upload, streamed: form-data-encoder writes the
// boundaries and part headers (escaping names as browsers do) and pulls each file's
// bytes only as the socket takes them. It reads a FormData-like object; a spec
// FormData would only take Blobs, so this module hands it the files as file-likes.

import type { FileLike, FormDataEntryValue, FormDataLike } from 'form-data-encoder';
import type { UploadFile } from './sources.js';

export interface MultipartBody {
  /** `content-type` with the boundary, and `content-length` when every file's size is known. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The body carrying `files` under `names`; `onBytes` hears of each file chunk as it is taken. */
export async function multipartBody(
  parts: readonly { readonly name: string; readonly file: UploadFile }[],
  onBytes: (bytes: number) => void,
): Promise<MultipartBody> {
  const { FormDataEncoder } = await import('form-data-encoder');
  const encoder = new FormDataEncoder(new FileParts(parts.map(({ name, file }) => [name, fileLike(file, onBytes)])));
  const headers: Record<string, string> = { 'content-type': encoder.contentType };
  if (encoder.contentLength !== undefined) headers['content-length'] = encoder.contentLength;
  return { headers, body: encoder.encode() };
}

function fileLike(file: UploadFile, onBytes: (bytes: number) => void): FileLike {
  return {
    name: file.filename,
    type: file.contentType,
    // NaN: unknown, and the body goes out chunked.
    size: file.size ?? Number.NaN,
    lastModified: Date.now(),
    stream: () => counted(file.open(), onBytes),
    [Symbol.toStringTag]: 'File',
  };
}

async function* counted(
  chunks: AsyncIterable<Uint8Array>,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    yield chunk;
    // Counted once the encoder asks for more: the chunk has gone on towards the socket.
    onBytes(chunk.byteLength);
  }
}

/** The part of FormData that the encoder reads: the entries, in order. */
class FileParts implements FormDataLike {
  readonly #entries: [string, FormDataEntryValue][];

  constructor(entries: [string, FormDataEntryValue][]) {
    this.#entries = entries;
  }

  get [Symbol.toStringTag](): string {
    return 'FormData';
  }

  append(): void {
    throw new TypeError('the parts of an upload are fixed');
  }

  getAll(name: string): FormDataEntryValue[] {
    return this.#entries.filter(([key]) => key === name).map(([, value]) => value);
  }

  entries(): IterableIterator<[string, FormDataEntryValue]> {
    return this.#entries[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, FormDataEntryValue]> {
    return this.entries();
  }
}
