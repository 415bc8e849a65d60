// One POST to an upload host through the session's dispatcher (its proxy, its
// pool, a user's own dispatcher): the body streams out as the socket takes it, the
// reply is collected (it is small), and the request fails when no byte has moved
// either way for `idleTimeout`, however long the whole upload takes.

import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { TimeoutError, TransportError } from '../core/errors.js';

export interface HostRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AsyncIterable<Uint8Array>;
  /** Milliseconds without a byte sent or received before the request fails. */
  readonly idleTimeout: number;
  readonly signal: AbortSignal | undefined;
}

export interface HostReply {
  readonly status: number;
  readonly text: string;
}

/** Upload hosts answer with a few hundred bytes of JSON; a longer reply is not theirs. */
const maxReplyBytes = 1024 * 1024;

/**
 * Sends `request` and collects the reply. Network failures are `TransportError`s
 * carrying undici's error as `cause` (its `code` tells whether the request was
 * written: see ../pipeline/retry.ts); the idle timeout is a `TimeoutError`; an abort
 * rejects with the signal's reason; anything the body's source throws, as it is.
 */
export function sendToHost(dispatcher: Dispatcher, request: HostRequest): Promise<HostReply> {
  const { url, signal, idleTimeout } = request;
  const target = `POST ${url.origin}${url.pathname}`;
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let sourceError: { error: unknown } | undefined;
    let status = 0;
    const chunks: Buffer[] = [];
    let replyBytes = 0;
    let settled = false;

    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const stop = (reason: unknown): void => {
      if (!finish()) return;
      controller?.abort(reason instanceof Error ? reason : new Error(String(reason)));
      reject(reason);
    };
    const fail = (error: unknown): void => {
      if (!finish()) return;
      if (sourceError !== undefined) reject(sourceError.error);
      else
        reject(
          new TransportError(`${target} failed: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        );
    };
    const onAbort = (): void => stop(signal?.reason);
    const timer = setTimeout(() => stop(new TimeoutError(idleTimeout)), idleTimeout);
    const moved = (): void => {
      if (!settled) timer.refresh();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    // Every chunk taken from the body keeps the request alive; what the source throws
    // (a file that vanished, a user's stream that failed) is the request's error.
    const body = (async function* (chunks: AsyncIterable<Uint8Array>) {
      try {
        for await (const chunk of chunks) {
          // Given up (an abort, the timeout): undici may ask on, but nothing more is read.
          if (settled) return;
          moved();
          yield chunk;
        }
      } catch (error) {
        sourceError = { error };
        throw error;
      }
    })(request.body);

    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'POST',
          headers: { ...request.headers, accept: 'application/json' },
          // undici takes an async iterable body (its Dispatcher docs), which its types leave out.
          body: body as unknown as Readable,
          // The idle timer above stands for both: undici's would count the whole upload.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        {
          onRequestStart(started) {
            if (settled) {
              started.abort(new Error('the upload was given up before it was sent'));
              return;
            }
            controller = started;
            moved();
          },
          onResponseStart(_controller, statusCode) {
            status = statusCode;
            moved();
          },
          onResponseData(_controller, chunk) {
            moved();
            replyBytes += chunk.length;
            if (replyBytes > maxReplyBytes) {
              stop(new TransportError(`${target}: the reply is longer than ${maxReplyBytes} bytes`, { status }));
              return;
            }
            chunks.push(chunk);
          },
          onResponseEnd() {
            if (finish()) resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
          },
          onResponseError(_controller, error) {
            fail(error);
          },
        },
      );
    } catch (error) {
      // dispatch() throws, rather than calling back, on options it cannot take.
      fail(error);
    }
  });
}
