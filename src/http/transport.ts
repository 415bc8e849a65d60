// HTTP for one client: a keep-alive undici Agent (or the user's own dispatcher),
// form-encoded POSTs, timeouts and cancellation. Secrets travel in the form body only, never in a URL or a header.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { scrubText } from '../core/censor.js';
import { createDispatcher, userDispatcher, type DispatcherOptions } from './dispatcher.js';
import { TimeoutError, TransportError, VkError, verbatimFields } from '../core/errors.js';
import { longestTimerMs } from '../core/timers.js';
import { undici } from './load-undici.js';

export interface PostOptions {
  /** Aborts the request; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds for the whole request; defaults to the transport's timeout. */
  timeout?: number | undefined;
  /** Secret values in the form, scrubbed from any error text. */
  secrets?: readonly string[] | undefined;
  /** Called when the request goes onto the socket, a connection having been found
   * or made (the rate limiter counts from then, not from the queue). */
  onWritten?: (() => void) | undefined;
}

const excerptLength = 200;
/** How far past the cut the excerpt is scrubbed: room for any secret that crosses it. */
const scrubbedMargin = 4096;
/** VK's replies are a few megabytes at most; a longer body is not VK's, and is cut
 * off rather than held in memory until the timeout. */
const maxReplyBytes = 32 * 1024 * 1024;

export class Transport {
  readonly #timeout: number;
  readonly #proxy: string | undefined;
  /** The user's dispatcher: used, never closed, since its owner may share it. */
  readonly #userDispatcher: Dispatcher | undefined;
  #agent: Dispatcher | undefined;
  #closed = false;

  /** @param options.timeout default milliseconds per request */
  constructor(options: DispatcherOptions) {
    this.#timeout = checkTimeout(options.timeout);
    this.#proxy = options.proxy;
    this.#userDispatcher = userDispatcher(options);
  }

  /** POSTs `form` to `url` and returns the parsed JSON reply (`parseReply`: the
   * fields VK wants back keep their exact digits). A reply with an HTTP error status
   * is returned only when it is JSON carrying an `error` (VK's own error shape);
   * anything else that is not JSON is a `TransportError`. */
  async postForm(url: string, form: URLSearchParams, options: PostOptions = {}): Promise<unknown> {
    if (this.#closed) throw new VkError('The client is closed');
    const timeout = options.timeout === undefined ? this.#timeout : checkTimeout(options.timeout);
    const secrets = options.secrets ?? [];
    const { origin, pathname, search } = new URL(url);
    const target = `POST ${pathname}`;
    options.signal?.throwIfAborted();

    let status: number;
    let text: string;
    let retryAfter: number | undefined;
    try {
      ({ status, text, retryAfter } = await exchange(this.dispatcher, {
        origin,
        path: pathname + search,
        body: form.toString(),
        timeout,
        signal: options.signal,
        onWritten: options.onWritten,
      }));
      // undici marks a new connection free one I/O turn after its body ends; without
      // this wait the next sequential call would open a second socket (a second TLS
      // handshake) instead of reusing this one.
      await nextTurn();
    } catch (error) {
      if (error instanceof TimeoutError || error === options.signal?.reason) throw error;
      const { HeadersTimeoutError, BodyTimeoutError } = undici().errors;
      if (error instanceof HeadersTimeoutError || error instanceof BodyTimeoutError)
        throw new TimeoutError(timeout, error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransportError(`${target} failed: ${scrubText(reason, secrets)}`, { cause: error });
    }

    // Scrubbed before it is cut, so that a secret across the cut is still recognised;
    // only a prefix, as a hostile body may be megabytes.
    const excerpt = (): string => {
      const scrubbed = scrubText(text.slice(0, excerptLength + scrubbedMargin), secrets);
      return scrubbed.length > excerptLength ? `${scrubbed.slice(0, excerptLength)}...` : scrubbed;
    };
    let reply: unknown;
    try {
      reply = parseReply(text);
    } catch {
      // No `cause`: JSON.parse's message quotes the body's first characters unscrubbed
      // (part of an echoed token is no known secret to scrub); the excerpt says it all.
      const what = status >= 400 ? `HTTP ${status}` : `a reply that is not JSON (HTTP ${status})`;
      throw new TransportError(`${target} got ${what}`, { status, bodyExcerpt: excerpt(), retryAfter });
    }
    if (status >= 400 && !(typeof reply === 'object' && reply !== null && 'error' in reply)) {
      throw new TransportError(`${target} got HTTP ${status}`, { status, bodyExcerpt: excerpt(), retryAfter });
    }
    return reply;
  }

  /** Default milliseconds per request; the auth flows time their requests with it too. */
  get timeout(): number {
    return this.#timeout;
  }

  /** Closes the pooled connections (a user's dispatcher stays open: its owner closes it); later requests fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const agent = this.#agent;
    this.#agent = undefined;
    await agent?.close();
  }

  /** The dispatcher every request of this client goes through: the user's, or one
   * built on first use, so that constructing a client opens nothing; auth flows share it. */
  get dispatcher(): Dispatcher {
    if (this.#closed) throw new VkError('The client is closed');
    if (this.#userDispatcher !== undefined) return this.#userDispatcher;
    this.#agent ??= createDispatcher({ timeout: this.#timeout, proxy: this.#proxy });
    return this.#agent;
  }
}

/** Any JSON string, whole, and the number after it when the string is a key. Strings
 * are matched whole so that text inside one is never taken for a key. */
const stringOrKeyedNumber = /"([^"\\]*(?:\\.[^"\\]*)*)"(?:(\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))?/g;
const verbatimKeys: ReadonlySet<string> = new Set(verbatimFields);
/** One scan of the reply for any of them: most replies have none. */
const anyVerbatimKey = new RegExp(`"(?:${verbatimFields.join('|')})"`);

/** JSON.parse, except that the number of a key in `verbatimFields` comes back as a
 * string of the exact text VK sent: JSON.parse would round 9069780796616521905 to
 * 9069780796616522000. Replies without such a key skip the scan. */
function parseReply(text: string): unknown {
  if (!anyVerbatimKey.test(text)) return JSON.parse(text);
  return JSON.parse(
    text.replace(stringOrKeyedNumber, (match, key: string, colon?: string, number?: string) =>
      number !== undefined && verbatimKeys.has(key) ? `"${key}"${colon}"${number}"` : match,
    ),
  );
}

interface Exchange {
  origin: string;
  path: string;
  body: string;
  timeout: number;
  signal: AbortSignal | undefined;
  onWritten: (() => void) | undefined;
}

/**
 * One POST through `dispatcher.dispatch`, collecting the reply. Lower level than
 * `request()` because it tells when the request goes onto the socket. The deadline
 * and the caller's abort reject at once; a request still queued for a connection
 * is then dropped before a byte of it is written. undici's own header and body
 * timeouts are set from the same figure so they never cut a call short.
 */
function exchange(
  dispatcher: Dispatcher,
  exchange: Exchange,
): Promise<{ status: number; text: string; retryAfter: number | undefined }> {
  const { timeout, signal } = exchange;
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let stopped: unknown;
    let status = 0;
    let retryAfter: number | undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    const settle = (): boolean => {
      if (timer === undefined) return false;
      clearTimeout(timer);
      timer = undefined;
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const stop = (reason: unknown): void => {
      if (!settle()) return;
      stopped = reason;
      controller?.abort(reason instanceof Error ? reason : new Error(String(reason)));
      reject(reason);
    };
    const onAbort = (): void => stop(signal?.reason);
    let timer: NodeJS.Timeout | undefined = setTimeout(() => stop(new TimeoutError(timeout)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      dispatcher.dispatch(
        {
          origin: exchange.origin,
          path: exchange.path,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: exchange.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        },
        {
          onRequestStart(started) {
            if (stopped !== undefined) {
              started.abort(new Error('the call was given up before it was sent'));
              return;
            }
            controller = started;
            exchange.onWritten?.();
          },
          onResponseStart(_controller, statusCode, headers) {
            status = statusCode;
            retryAfter = retryAfterMs(headers['retry-after']);
          },
          onResponseData(_controller, chunk) {
            bytes += chunk.length;
            if (bytes > maxReplyBytes) {
              stop(new TransportError(`the reply is longer than ${maxReplyBytes} bytes`, { status }));
              return;
            }
            chunks.push(chunk);
          },
          onResponseEnd() {
            if (settle()) resolve({ status, text: Buffer.concat(chunks).toString('utf8'), retryAfter });
          },
          onResponseError(_controller, error) {
            if (settle()) reject(error);
          },
        },
      );
    } catch (error) {
      // dispatch() throws, rather than calling back, on options it cannot take.
      if (settle()) reject(error);
    }
  });
}

/** `Retry-After` in milliseconds: delay-seconds, or an HTTP date (a date past is 0);
 * undefined when absent or unreadable. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function checkTimeout(timeout: number): number {
  if (!(Number.isFinite(timeout) && timeout > 0 && timeout <= longestTimerMs)) {
    throw new RangeError(`timeout must be a positive number of milliseconds up to ${longestTimerMs}, got ${timeout}`);
  }
  return timeout;
}
