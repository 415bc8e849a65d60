// The Callback API: VK POSTs each community event to your server as JSON and waits
// for the string `ok`. What the handler answers:
//   - `confirmation` (VK checking the server): the confirmation string, given or
//     fetched with `groups.getCallbackConfirmationCode`;
//   - an event whose `secret` is not the one set: 403, not delivered;
//   - an event: delivered to `onEvent`, answered `ok` once it resolves; 500 when it
//     throws, so that VK sends the event again (and it is delivered again);
//   - an event already answered `ok` (VK sending it again): `ok`, not delivered;
//     the same event while it is being handled waits for that outcome;
//   - a body that is not a JSON event: 400; a body over `maxBodyBytes`: 413.
// Two faces: a fetch-style `(Request) => Promise<Response>` and a node:http listener.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GroupEvent } from '../../generated/events.js';
import { VkError } from '../core/errors.js';
import { untilAborted } from '../core/until-aborted.js';
import { eventIdOf, toGroupEvent } from './group-events.js';
import { SeenIds } from './seen-ids.js';
import { eventSession, type AnySession } from './session.js';

interface CallbackCommonOptions {
  /** The secret key of the community's Callback API server: an event carrying
   * another `secret` (or none) is answered 403 and not delivered. */
  secret?: string;
  /** Receives every event but `confirmation`. VK is answered `ok` once it resolves;
   * when it throws, 500, and VK sends the event again. `signal` aborts when VK's
   * request is gone. */
  onEvent: (event: GroupEvent, signal: AbortSignal) => unknown;
  /** Receives what `onEvent` threw (or why the confirmation string could not be
   * fetched). Default: one `console.error` line. */
  onError?: (error: unknown, event: GroupEvent) => void;
  /** How many answered event ids are remembered to drop repeats; default 10 000. */
  rememberEvents?: number;
  /** The largest body read, in bytes; a longer one is answered 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** With the confirmation string from the community's Callback API settings. */
export interface CallbackWithConfirmation extends CallbackCommonOptions {
  /** The string to answer VK's `confirmation` request with. */
  confirmation: string;
  /** When given, confirmation requests of other communities are answered 403. */
  groupId?: number;
}

/** With a session that fetches the confirmation string (`groups.getCallbackConfirmationCode`). */
export interface CallbackWithApi extends CallbackCommonOptions {
  /** A session allowed to manage the community (a community token, or a user token of an admin). */
  api: AnySession;
  /** The community whose confirmation string is fetched; confirmation requests of others are answered 403. */
  groupId: number;
}

export type CallbackHandlerOptions = CallbackWithConfirmation | CallbackWithApi;

interface Answer {
  status: number;
  body: string;
}

const defaultMaxBodyBytes = 4 * 1024 * 1024;
const ok: Answer = { status: 200, body: 'ok' };
const notHandled: Answer = { status: 500, body: 'the event was not handled' };
const wrongSecret: Answer = { status: 403, body: 'wrong secret' };
const notAnEvent: Answer = { status: 400, body: 'the body is not a JSON event' };
const notPost: Answer = { status: 405, body: 'POST only' };
const tooLong: Answer = { status: 413, body: 'the body is too long' };

/** The Callback API as a fetch-style handler (Hono, Deno, Bun, Cloudflare, a `fetch`
 * server). Options are checked here: bad ones throw before any request. */
export function createCallbackHandler(options: CallbackHandlerOptions): (request: Request) => Promise<Response> {
  const receiver = new CallbackReceiver(options);
  return async (request) => {
    const answer = await answerRequest(receiver, request);
    return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  };
}

/** The Callback API as a node:http (or Express) listener: `http.createServer(nodeCallbackListener(options))`. */
export function nodeCallbackListener(options: CallbackHandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const receiver = new CallbackReceiver(options);
  return (request, response) => {
    void answerNode(receiver, request, response);
  };
}

async function answerRequest(receiver: CallbackReceiver, request: Request): Promise<Answer> {
  if (request.method !== 'POST') return notPost;
  if (declaredLength(request.headers.get('content-length')) > receiver.maxBodyBytes) return tooLong;
  let text: string | undefined;
  try {
    text = await readStream(request.body, receiver.maxBodyBytes);
  } catch {
    return notHandled; // the request broke off while it was read
  }
  return text === undefined ? tooLong : receiver.answer(text, request.signal);
}

async function answerNode(receiver: CallbackReceiver, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const gone = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) gone.abort(new VkError('The Callback API request is gone'));
  });
  let answer: Answer;
  try {
    if (request.method !== 'POST') answer = notPost;
    else if (declaredLength(request.headers['content-length']) > receiver.maxBodyBytes) answer = tooLong;
    else {
      // Not destroyed when the read stops at the limit: the 413 still has to be written.
      const text = await readStream(request.iterator({ destroyOnReturn: false }), receiver.maxBodyBytes);
      answer = text === undefined ? tooLong : await receiver.answer(text, gone.signal);
    }
  } catch {
    // The request broke off while it was read.
    answer = notHandled;
  }
  if (response.headersSent || response.destroyed) return;
  // The rest of a body left unread would hold the connection: close it after the answer.
  const unread = !request.readableEnded;
  response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...(unread ? { connection: 'close' } : {}) });
  response.end(answer.body);
}

/** The events of one endpoint: what is answered, what is delivered, what was seen. */
class CallbackReceiver {
  readonly maxBodyBytes: number;
  readonly #options: CallbackHandlerOptions;
  readonly #secret: Buffer | undefined;
  readonly #answered: SeenIds;
  readonly #handling = new Map<string, Promise<boolean>>();
  readonly #onError: (error: unknown, event: GroupEvent) => void;

  constructor(options: CallbackHandlerOptions) {
    if (typeof options.onEvent !== 'function') throw new TypeError('onEvent must be a function');
    const { groupId } = options;
    if (groupId !== undefined && !(Number.isSafeInteger(groupId) && groupId > 0)) {
      throw new RangeError(`groupId must be a positive integer, got ${groupId}`);
    }
    if ('api' in options && options.api !== undefined) {
      eventSession(options.api);
      if (groupId === undefined) throw new TypeError('with api, give the groupId whose confirmation string to fetch');
    } else if (typeof (options as CallbackWithConfirmation).confirmation !== 'string' || (options as CallbackWithConfirmation).confirmation === '') {
      throw new TypeError('give the confirmation string, or api and groupId to fetch it');
    }
    const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
    if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new RangeError(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
    this.maxBodyBytes = maxBodyBytes;
    this.#options = options;
    this.#secret = options.secret === undefined ? undefined : Buffer.from(options.secret);
    this.#answered = new SeenIds(options.rememberEvents);
    this.#onError = options.onError ?? logFailure;
  }

  async answer(text: string, signal: AbortSignal): Promise<Answer> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return notAnEvent;
    }
    const event = toGroupEvent(raw);
    if (event === undefined) return notAnEvent;
    if (!this.#secretMatches(event.secret)) return wrongSecret;
    if ((event.type as string) === 'confirmation') return this.#confirm(event, signal);

    const id = eventIdOf(event);
    if (id !== undefined && this.#answered.has(id)) return ok;
    const earlier = id === undefined ? undefined : this.#handling.get(id);
    if (earlier !== undefined) return this.#outcome(earlier, signal);

    const handled = this.#deliver(event, id, signal);
    if (id === undefined) return this.#outcome(handled, signal);
    this.#handling.set(id, handled);
    try {
      return await this.#outcome(handled, signal);
    } finally {
      if (this.#handling.get(id) === handled) this.#handling.delete(id);
    }
  }

  async #outcome(handled: Promise<boolean>, signal: AbortSignal): Promise<Answer> {
    try {
      return (await untilAborted(handled, signal)) ? ok : notHandled;
    } catch {
      return notHandled; // VK's request is gone: nobody reads the answer
    }
  }

  /** True once `onEvent` resolved (also after VK's request is gone: it was handled). */
  async #deliver(event: GroupEvent, id: string | undefined, signal: AbortSignal): Promise<boolean> {
    try {
      await this.#options.onEvent(event, signal);
    } catch (error) {
      this.#onError(error, event);
      return false;
    }
    if (id !== undefined) this.#answered.add(id);
    return true;
  }

  async #confirm(event: GroupEvent, signal: AbortSignal): Promise<Answer> {
    const { groupId } = this.#options;
    if (groupId !== undefined && event.group_id !== groupId) return { status: 403, body: 'not this community' };
    if (!('api' in this.#options) || this.#options.api === undefined) {
      return { status: 200, body: (this.#options as CallbackWithConfirmation).confirmation };
    }
    try {
      const { api } = eventSession(this.#options.api);
      const { code } = await api.call('groups.getCallbackConfirmationCode', { group_id: groupId! }, { signal });
      return { status: 200, body: code };
    } catch (error) {
      if (!signal.aborted) this.#onError(error, event);
      return { status: 500, body: 'the confirmation string is unavailable' };
    }
  }

  #secretMatches(secret: unknown): boolean {
    if (this.#secret === undefined) return true;
    if (typeof secret !== 'string') return false;
    const given = Buffer.from(secret);
    // Compared in constant time, so that the answer's timing tells nothing of the key.
    return given.length === this.#secret.length && timingSafeEqual(given, this.#secret);
  }
}

/** The body as text, or undefined when it is longer than `max` bytes (then it is not read further). */
async function readStream(body: AsyncIterable<Uint8Array> | null, max: number): Promise<string | undefined> {
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function declaredLength(header: string | string[] | null | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  return value === null || value === undefined || !/^\d+$/.test(value.trim()) ? 0 : Number(value);
}

function logFailure(error: unknown, event: GroupEvent): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Callback API event ${event.type} ${event.event_id ?? ''} was not handled: ${message}`);
}
