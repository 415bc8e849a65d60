// HTTP for one client: a keep-alive undici Agent, form-encoded POSTs, timeouts and
// cancellation. Secrets travel in the form body only, never in a URL or a header.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { scrubText } from './censor.js';
import { createDispatcher, type DispatcherOptions } from './dispatcher.js';
import { TimeoutError, TransportError, VkError } from './errors.js';

export interface PostOptions {
  /** Aborts the request; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Milliseconds for the whole request; defaults to the transport's timeout. */
  timeout?: number | undefined;
  /** Secret values in the form, scrubbed from any error text. */
  secrets?: readonly string[] | undefined;
}

const excerptLength = 200;

export class Transport {
  readonly #timeout: number;
  readonly #proxy: string | undefined;
  #agent: Dispatcher | undefined;
  #closed = false;

  /** @param options.timeout default milliseconds per request */
  constructor(options: DispatcherOptions) {
    this.#timeout = checkTimeout(options.timeout);
    this.#proxy = options.proxy;
  }

  /** POSTs `form` to `url` and returns the parsed JSON reply. A reply with an HTTP
   * error status is returned only when it is JSON carrying an `error` (VK's own
   * error shape); anything else that is not JSON is a `TransportError`. */
  async postForm(url: string, form: URLSearchParams, options: PostOptions = {}): Promise<unknown> {
    if (this.#closed) throw new VkError('The client is closed');
    const timeout = options.timeout === undefined ? this.#timeout : checkTimeout(options.timeout);
    const secrets = options.secrets ?? [];
    const { origin, pathname, search } = new URL(url);
    const target = `POST ${pathname}`;

    // One signal for both the caller's abort and our deadline. undici's own header
    // and body timeouts are set from the same figure so they never cut a call short.
    const controller = new AbortController();
    const userSignal = options.signal;
    userSignal?.throwIfAborted();
    const onUserAbort = (): void => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);

    let status: number;
    let text: string;
    try {
      const response = await this.dispatcher.request({
        origin,
        path: pathname + search,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: controller.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      status = response.statusCode;
      text = await response.body.text();
      // undici marks a new connection free one I/O turn after its body ends; without
      // this wait the next sequential call would open a second socket (a second TLS
      // handshake) instead of reusing this one.
      await nextTurn();
    } catch (error) {
      if (timedOut || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
        throw new TimeoutError(timeout, error);
      }
      if (controller.signal.aborted) throw controller.signal.reason;
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransportError(`${target} failed: ${scrubText(reason, secrets)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    }

    const excerpt = (): string =>
      scrubText(text.length > excerptLength ? `${text.slice(0, excerptLength)}...` : text, secrets);
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch (cause) {
      const what = status >= 400 ? `HTTP ${status}` : `a reply that is not JSON (HTTP ${status})`;
      throw new TransportError(`${target} got ${what}`, { status, bodyExcerpt: excerpt(), cause });
    }
    if (status >= 400 && !(typeof reply === 'object' && reply !== null && 'error' in reply)) {
      throw new TransportError(`${target} got HTTP ${status}`, { status, bodyExcerpt: excerpt() });
    }
    return reply;
  }

  /** Closes the pooled connections; later requests fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const agent = this.#agent;
    this.#agent = undefined;
    await agent?.close();
  }

  /** The dispatcher every request of this client goes through (built on first use,
   * so that constructing a client opens nothing); auth flows share it. */
  get dispatcher(): Dispatcher {
    if (this.#closed) throw new VkError('The client is closed');
    this.#agent ??= createDispatcher({ timeout: this.#timeout, proxy: this.#proxy });
    return this.#agent;
  }
}

function checkTimeout(timeout: number): number {
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw new RangeError(`timeout must be a positive number of milliseconds, got ${timeout}`);
  }
  return timeout;
}
