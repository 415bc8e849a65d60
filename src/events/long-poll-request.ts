// One request to a long poll server: `GET {server}?act=a_check&key&ts&wait...`, as
// VK documents it, through the session's dispatcher (its proxy, its interceptors,
// a MockAgent in tests), not through the API's rate limiter: long poll requests are
// not API calls. The session key travels in the URL because the protocol puts it
// there; it is scrubbed from every error, and no URL with it is ever reported.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { scrubText } from '../core/censor.js';
import { TimeoutError, TransportError } from '../core/errors.js';
import { undici } from '../http/load-undici.js';

/** A reply this long is no long poll server's (it sends a few megabytes at most). */
const maxReplyBytes = 32 * 1024 * 1024;
const excerptLength = 200;

export interface PollRequest {
  dispatcher: Dispatcher;
  /** The whole URL, key and ts included. */
  url: string;
  /** The server as errors name it (host and path: no key). */
  where: string;
  /** Milliseconds without a byte of the reply (its headers, then each part of its
   * body) before the request is given up as silent (a `TimeoutError`). */
  timeout: number;
  /** Aborts the request; it rejects with the signal's reason. */
  signal: AbortSignal;
  /** Values scrubbed from any error text: the session key. */
  secrets: readonly string[];
}

/** The parsed JSON reply; a `TransportError` for anything else (HTTP errors included). */
export async function requestLongPoll({ dispatcher, url, where, timeout, signal, secrets }: PollRequest): Promise<unknown> {
  signal.throwIfAborted();
  const target = `GET ${where}`;
  let status: number;
  let text: string;
  try {
    const response = await undici().request(url, {
      dispatcher,
      method: 'GET',
      headers: { accept: 'application/json' },
      signal,
      // Silence is measured by undici's own timeouts, which would otherwise cut a
      // long poll short at the session's.
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    status = response.statusCode;
    text = await readCapped(response.body, target);
    // undici frees a connection one I/O turn after its body ends; without this the
    // next poll, sent at once, would open a second connection.
    await nextTurn();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof TransportError) throw error;
    const { HeadersTimeoutError, BodyTimeoutError } = undici().errors;
    if (error instanceof HeadersTimeoutError || error instanceof BodyTimeoutError) throw new TimeoutError(timeout, error);
    const reason = error instanceof Error ? error.message : String(error);
    throw new TransportError(`${target} failed: ${scrubText(reason, secrets)}`, { cause: error });
  }
  const bodyExcerpt = (): string => {
    const scrubbed = scrubText(text.slice(0, excerptLength * 4), secrets);
    return scrubbed.length > excerptLength ? `${scrubbed.slice(0, excerptLength)}...` : scrubbed;
  };
  if (status >= 400) throw new TransportError(`${target} got HTTP ${status}`, { status, bodyExcerpt: bodyExcerpt() });
  try {
    return JSON.parse(text);
  } catch {
    throw new TransportError(`${target} got a reply that is not JSON (HTTP ${status})`, { status, bodyExcerpt: bodyExcerpt() });
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, target: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxReplyBytes) {
      body.destroy();
      throw new TransportError(`${target}: the reply is longer than ${maxReplyBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
