// The public types of `api.upload`: what a source may be, the options of an upload,
// and each kind's params and result, built from the schema's types of its two
// methods and the data of kinds.ts.

import type { MethodParams, MethodResponse } from '../core/method-types.js';
import type { uploadKinds, UploadKind } from './kinds.js';
import type { SaveMethodOf } from './pairs.js';

/** The bytes of one file, in any of these forms. Nothing is read whole into memory
 * but a `Uint8Array` or `Blob` you already hold. */
export type UploadSource =
  | UploadBytes
  | {
      readonly value: UploadBytes;
      readonly filename?: string;
      readonly contentType?: string;
      readonly contentLength?: number;
    };

/** A source's bytes: in memory (`Buffer`, `Uint8Array`, `Blob`, `File`), a stream (a
 * Node `Readable`, a web `ReadableStream`, any async iterable of bytes, read once), a
 * local file (`{ path }`), or a URL fetched and streamed through (`{ url }`). */
export type UploadBytes =
  Uint8Array | Blob | AsyncIterable<Uint8Array> | { readonly path: string } | { readonly url: string | URL };

/** How far the upload POST is: file bytes sent so far, of `total` (undefined when a
 * stream's size is not known). */
export interface UploadProgress {
  readonly loaded: number;
  readonly total: number | undefined;
}

/** Milliseconds per step. `server` and `save` are the API calls' timeouts (per
 * attempt); `upload` is how long the POST to the upload host may go without a byte
 * moving either way, so a large file never runs out of it while it streams. */
export interface UploadTimeouts {
  readonly server?: number;
  readonly upload?: number;
  readonly save?: number;
}

export interface UploadOptions {
  /** Aborts whichever step is running; the upload rejects with the signal's reason. */
  signal?: AbortSignal;
  /** One figure for every step, or one per step (default: the session's `timeout`). */
  timeout?: number | UploadTimeouts;
  /** Called as the file's bytes go out, and once more when all have. */
  onProgress?: (progress: UploadProgress) => void;
  /** Retries of each step (default: the session's for the API calls, 3 for the POST).
   * The POST is only repeated when the host cannot have stored the file (the
   * connection was refused, HTTP 429), and the save step never runs twice. */
  maxRetries?: number;
  /** CommunityAPI: the community whose token both API calls use. */
  groupId?: number;
}

type Kinds = typeof uploadKinds;
type ServerOf<K extends UploadKind> = Kinds[K]['server'];
/** The save method of kind `K`; never for video, whose first step saves. */
export type UploadSaveMethod<K extends UploadKind> = Kinds[K] extends { fromReply: object }
  ? SaveMethodOf<ServerOf<K>>
  : never;
type FromReply<K extends UploadKind> = Kinds[K] extends { fromReply: infer R } ? keyof R : never;
type Withheld<K extends UploadKind> = Kinds[K] extends { withheld: infer W } ? keyof W : never;
type SaveParams<K extends UploadKind> = [UploadSaveMethod<K>] extends [never] ? {} : MethodParams<UploadSaveMethod<K>>;
type Sources<K extends UploadKind> = Kinds[K] extends { maxFiles: number }
  ? {
      /** The files, one to `maxFiles` of them (5 for an album). */
      sources: readonly UploadSource[];
    }
  : {
      /** The file. */
      source: UploadSource;
    };

/** Kind `K`'s params: those of its upload-server method and of its save method (less
 * what the upload host's reply fills in), the file, and the session's extra params `X`. */
export type UploadParams<K extends UploadKind, X extends object = {}> = Omit<MethodParams<ServerOf<K>>, Withheld<K>> &
  Omit<SaveParams<K>, FromReply<K> | Withheld<K>> &
  Sources<K> &
  X;

/** What kind `K` resolves to: its save method's response (video: `video.save`'s). */
export type UploadResult<K extends UploadKind> = [UploadSaveMethod<K>] extends [never]
  ? MethodResponse<ServerOf<K>>
  : MethodResponse<UploadSaveMethod<K>>;
