// A fake VK API server on 127.0.0.1 for tests: records every request and API call and
// answers API methods the way VK does (form bodies in, `{response}` / `{error}` out).
// Routes live in a table so that OAuth/login pages, long poll and upload hosts can be
// added as more routes, and gates wrap the API route for rate limits and faults.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MethodName } from '../../generated/methods.js';
import { scrubText, secretValues } from '../core/censor.js';
import type { MethodParams, MethodResponse } from '../core/method-types.js';
import { runBatchScript } from './execute.js';
import { FakeCall } from './fake-call.js';
import { FaultPlan, type InjectedFault } from './faults.js';
import { decodeForm } from './form-params.js';
import {
  apiErrorReply,
  DropConnection,
  FakeApiError,
  json,
  RawReply,
  type ApiGate,
  type FakeErrorFields,
  type MethodHandler,
  type RecordedRequest,
  type RouteHandler,
} from './replies.js';
import { fakeCaptchaSuccessToken } from './vk-errors.js';

// What handlers answer with, for tests that import this module rather than the entry.
export * from './replies.js';

/** What a typed handler may answer `M` with: its response, a VK error, or a raw reply. */
export type FakeReply<M extends MethodName> = MethodResponse<M> | FakeApiError | RawReply;

/** A handler of method `M`: its params typed and decoded from the form (`call.form` has
 * the strings VK got, `call.token` the token), answering with `M`'s response type. */
export type FakeMethodHandler<M extends MethodName> = (
  params: MethodParams<M>,
  call: FakeCall<M>,
) => FakeReply<M> | Promise<FakeReply<M>>;

export interface FakeVkOptions {
  /** Accepted access tokens; when left out, any non-empty token is accepted. */
  tokens?: readonly string[];
  /** Highest API version served (default `5.199`); a higher `v` is error 8. */
  version?: string;
}

export interface FakeVk extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:34567`. */
  readonly url: string;
  /** `url` + `/method`: the session's `apiBaseUrl`. */
  readonly apiBaseUrl: string;
  /** Every HTTP request received, in order, as it came (tokens included: assert on
   * them, do not print them; `calls` prints censored). */
  readonly requests: RecordedRequest[];
  /** Every API call received, in order, the calls inside `execute` included. */
  readonly calls: readonly FakeCall[];
  /** TCP connections accepted so far. */
  readonly connectionCount: number;
  /** The fault plan `inject()` fills (what was applied, what is pending). */
  readonly faults: FaultPlan;
  /** Answers `method` with `handler(params, call)`: typed by the SDK's params and
   * response for `method`. A handler may also return (or throw) a `FakeApiError`
   * (see `vkError()`, `captchaError()`, ...) or return a `RawReply`. */
  handle<M extends MethodName>(method: M, handler: FakeMethodHandler<M>): void;
  /** Answers `method` with a canned response, `FakeApiError` or `RawReply`. */
  handle<M extends MethodName>(method: M, reply: FakeReply<M>): void;
  /** Untyped: answers any method (one the schema lacks too) with `handler(params,
   * request)`'s result, params as form strings; or with a canned value. */
  reply(method: string, handler: MethodHandler): void;
  reply(method: string, value: unknown): void;
  /** Answers `method` with a VK error. */
  replyError(method: string, fields: FakeErrorFields): void;
  /** The calls of `method` received so far, typed. */
  callsOf<M extends MethodName>(method: M): FakeCall<M>[];
  callsOf(method: string): FakeCall[];
  /** Makes the next requests to `method` (`'*'`: to any method) meet `faults`, one a
   * request, before any handler runs: VK errors, dropped connections, HTTP errors,
   * delays, bodies that are not JSON. */
  inject(method: MethodName | '*' | (string & {}), ...faults: InjectedFault[]): void;
  /** Adds a route; the latest route matching a path wins. A string matches the exact
   * path. Returns a function that removes the route. */
  route(path: string | RegExp, handler: RouteHandler): () => void;
  /** Wraps the API route in `gate` (a rate limit: `new PerTokenRateLimit(3).gate`);
   * the first gate added runs first, after `inject()`'s. Returns a function that
   * removes the gate. */
  gate(gate: ApiGate): () => void;
  /** Stops the server, ending requests still open. Also `await using fake = ...`. */
  close(): Promise<void>;
}

/** A server's method handlers, one for direct calls and execute alike. */
type Handler = (call: FakeCall, request: RecordedRequest) => unknown;

/** A 1x1 PNG: what the fake's `/captcha.php` serves. */
const captchaImage = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Starts a fake VK API server on 127.0.0.1 at a free port. */
export async function startFakeVk(options: FakeVkOptions = {}): Promise<FakeVk> {
  const acceptedTokens = options.tokens === undefined ? undefined : new Set(options.tokens);
  const version = options.version ?? '5.199';
  const methods = new Map<string, Handler>();
  const routes: { pattern: RegExp; handler: RouteHandler }[] = [];
  const faults = new FaultPlan();
  const gates: ApiGate[] = [faults.gate];
  const requests: RecordedRequest[] = [];
  const calls: FakeCall[] = [];
  let connectionCount = 0;

  const record = async (method: string, fields: Readonly<Record<string, string>>, batched: boolean) => {
    const call = new FakeCall(method, await decodeForm(method, fields), fields, batched);
    calls.push(call);
    return call;
  };

  const apiRoute = async (request: RecordedRequest, method: string, call: FakeCall): Promise<RawReply> => {
    const { access_token: token, v } = request.params;
    const fail = (error_code: number, error_msg: string) => apiErrorReply(request, method, { error_code, error_msg });
    if (!token) return fail(5, 'User authorization failed: no access_token passed.');
    if (acceptedTokens !== undefined && !acceptedTokens.has(token)) {
      return fail(5, 'User authorization failed: invalid access_token (4).');
    }
    if (!v) return fail(8, 'Invalid request: v is required');
    if (!(Number(v) >= 5 && Number(v) <= Number(version))) return fail(8, `Invalid request: version ${v} is not supported`);
    const handler = methods.get(method);
    if (!handler && method === 'execute') return json(await runExecute(request));
    if (!handler) return fail(3, 'Unknown method passed');

    let result: unknown;
    try {
      result = await handler(call, request);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      result = error;
    }
    if (result instanceof RawReply) return result;
    if (result instanceof FakeApiError) return apiErrorReply(request, method, result.fields);
    return json({ response: result });
  };
  routes.push({
    pattern: /^\/method\/([^/]+)$/,
    handler: async (request, match) => {
      const method = decodeURIComponent(match[1] ?? '');
      const call = await record(method, request.params, false);
      const answer = gates.reduceRight<() => Promise<RawReply>>(
        (next, gate) => () => gate(request, method, next),
        async () => apiRoute(request, method, call),
      );
      return answer();
    },
  });
  // The captchas of vk-errors.ts: the image, and the page of the newer captcha.
  routes.push({
    pattern: /^\/captcha\.php$/,
    handler: () => new RawReply(200, captchaImage, { 'content-type': 'image/png' }),
  });
  routes.push({
    pattern: /^\/not_robot_captcha$/,
    handler: () =>
      new RawReply(200, `<!DOCTYPE html><html><body><p>success_token: ${fakeCaptchaSuccessToken}</p></body></html>`, {
        'content-type': 'text/html; charset=utf-8',
      }),
  });

  // execute, unless a test answers it itself: runs the script's calls against the
  // method handlers, with the script's token and version.
  const runExecute = async (request: RecordedRequest) => {
    try {
      return await runBatchScript(request.params['code'] ?? '', async (method, params) => {
        const handler = methods.get(method);
        const inner = { ...request, path: `/method/${method}`, params: { ...request.params, ...params } };
        const call = await record(method, inner.params, true);
        if (!handler) return { error: { error_code: 3, error_msg: 'Unknown method passed' } };
        try {
          const result = await handler(call, inner);
          if (result instanceof FakeApiError) return { error: result.fields };
          if (result instanceof RawReply) throw new Error(`a RawReply cannot stand inside execute (${method})`);
          return { result };
        } catch (error) {
          if (error instanceof FakeApiError) return { error: error.fields };
          throw error;
        }
      });
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return { error: { error_code: 12, error_msg: `Unable to compile code: ${error.message}` } };
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', () => {
    connectionCount += 1;
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req);
    requests.push(request);
    let reply: RawReply;
    try {
      const found = findRoute(request.path);
      reply = found ? await found.handler(request, found.match) : new RawReply(404, 'Not Found');
    } catch (error) {
      if (error instanceof DropConnection) throw error;
      // A handler's error may quote the request: its secrets stay out of the reply.
      const secrets = secretValues(Object.entries(request.params));
      const message = scrubText(error instanceof Error ? error.message : String(error), secrets);
      reply = new RawReply(500, `fake VK handler failed: ${message}`);
    }
    const body = typeof reply.body === 'string' || reply.body instanceof Uint8Array ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
    res.end(body);
  }

  function findRoute(path: string): { handler: RouteHandler; match: RegExpExecArray } | undefined {
    for (let index = routes.length - 1; index >= 0; index -= 1) {
      const route = routes[index];
      const match = route?.pattern.exec(path);
      if (route && match) return { handler: route.handler, match };
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const remover = <T>(list: T[], item: T) => () => {
    const index = list.indexOf(item);
    if (index >= 0) list.splice(index, 1);
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Also ends requests a handler never answers (timeout tests).
      server.closeAllConnections();
    }));

  const fake: FakeVk = {
    url,
    apiBaseUrl: `${url}/method`,
    requests,
    calls,
    faults,
    get connectionCount() {
      return connectionCount;
    },
    handle(method: string, handlerOrReply: unknown) {
      const handler = handlerOrReply as (params: unknown, call: FakeCall) => unknown;
      methods.set(method, typeof handlerOrReply === 'function' ? (call) => handler(call.params, call) : () => handlerOrReply);
    },
    reply(method: string, handlerOrValue: unknown) {
      const handler = handlerOrValue as MethodHandler;
      methods.set(method, typeof handlerOrValue === 'function' ? (_call, request) => handler(request.params, request) : () => handlerOrValue);
    },
    replyError(method, fields) {
      methods.set(method, () => new FakeApiError(fields));
    },
    callsOf(method: string) {
      return calls.filter((call) => call.method === method) as FakeCall<never>[];
    },
    inject(method, ...injected) {
      faults.inject(method, ...injected);
    },
    route(path, handler) {
      const pattern = typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path;
      const route = { pattern, handler };
      routes.push(route);
      return remover(routes, route);
    },
    gate(gate) {
      gates.push(gate);
      return remover(gates, gate);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return fake;
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const query = Object.fromEntries(url.searchParams);
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const body = isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : {};
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    url: url.href,
    headers: req.headers,
    query,
    body,
    rawBody,
    params: { ...query, ...body },
  };
}
