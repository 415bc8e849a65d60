// A fake VK API server on 127.0.0.1 for tests: records every request and answers
// API methods the way VK does (form bodies in, `{response}` / `{error}` out).
// Routes live in a table so that OAuth/login pages, rate limits and faults can be
// added as more routes or handlers without touching the API route.

import http from 'node:http';
import { runBatchScript } from './execute.js';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** HTTP method, e.g. `POST`. */
  readonly httpMethod: string;
  /** Path without the query, e.g. `/method/users.get`. */
  readonly path: string;
  /** Full URL, query included. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly query: Readonly<Record<string, string>>;
  /** The form body, parsed (empty unless the body is form-encoded). */
  readonly body: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /** Query and body params together; body wins, as in VK. */
  readonly params: Readonly<Record<string, string>>;
}

/** A reply written as is: status, body (objects are sent as JSON), headers. */
export class RawReply {
  constructor(
    readonly status: number,
    readonly body: string | object,
    readonly headers: Readonly<Record<string, string | readonly string[]>> = {},
  ) {}
}

/** The fields of a VK error; `request_params`, when left out, is filled from the request. */
export interface FakeErrorFields {
  error_code: number;
  error_msg: string;
  request_params?: readonly { key: string; value: string }[];
  [field: string]: unknown;
}

/** Returned (or thrown) by a method handler to answer with a VK error. */
export class FakeApiError {
  constructor(readonly fields: FakeErrorFields) {}
}

export type MethodHandler = (params: Readonly<Record<string, string>>, request: RecordedRequest) => unknown;
export type RouteHandler = (request: RecordedRequest, match: RegExpExecArray) => RawReply | Promise<RawReply>;
/** Runs around the API route (direct calls and execute alike): may answer itself,
 * call `next()` for the normal answer, or throw `DropConnection`. */
export type ApiGate = (request: RecordedRequest, method: string, next: () => Promise<RawReply>) => Promise<RawReply>;

/** Thrown by a gate or handler to drop the connection without a reply. */
export class DropConnection extends Error {}

export interface FakeVkOptions {
  /** Accepted access tokens; when left out, any non-empty token is accepted. */
  tokens?: readonly string[];
  /** Highest API version served (default `5.199`); a higher `v` is error 8. */
  version?: string;
}

export interface FakeVk {
  /** Base URL, e.g. `http://127.0.0.1:34567`. */
  readonly url: string;
  /** `url` + `/method`: the client's `apiBaseUrl`. */
  readonly apiBaseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  readonly connectionCount: number;
  /** Answers `method` with `handler(params, request)`'s result: a value (sent as
   * `{response: value}`), a `FakeApiError`, or a `RawReply` (sent as is). */
  reply(method: string, handler: MethodHandler): void;
  /** Answers `method` with a canned value, `FakeApiError` or `RawReply`. */
  reply(method: string, value: unknown): void;
  /** Answers `method` with a VK error. */
  replyError(method: string, fields: FakeErrorFields): void;
  /** Adds a route; the latest route matching a path wins. A string matches the exact
   * path. Returns a function that removes the route. */
  route(path: string | RegExp, handler: RouteHandler): () => void;
  /** Wraps the API route in `gate` (rate limits, faults: see faults.ts); the
   * first gate added runs first. Returns a function that removes the gate. */
  gate(gate: ApiGate): () => void;
  close(): Promise<void>;
}

/** `value` as a JSON reply; a bigint is written as its bare digits, the way VK
 * writes a 64-bit integer (`remixstlid`) that no JS number holds. */
export function json(value: unknown, status = 200): RawReply {
  return new RawReply(status, toJsonText(value), { 'content-type': 'application/json; charset=utf-8' });
}

const bigintMark = '__fake_vk_bigint__';

function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${bigintMark}${item}${bigintMark}` : item,
  );
  return text.replace(new RegExp(`"${bigintMark}(-?\\d+)${bigintMark}"`, 'g'), '$1');
}

export async function startFakeVk(options: FakeVkOptions = {}): Promise<FakeVk> {
  const acceptedTokens = options.tokens === undefined ? undefined : new Set(options.tokens);
  const version = options.version ?? '5.199';
  const methods = new Map<string, MethodHandler>();
  const routes: { pattern: RegExp; handler: RouteHandler }[] = [];
  const gates: ApiGate[] = [];
  const requests: RecordedRequest[] = [];
  let connectionCount = 0;

  const apiError = (request: RecordedRequest, method: string, fields: FakeErrorFields): RawReply => {
    // VK echoes the call's params, with `method` and `oauth` added and the token left out.
    const echoed = Object.entries(request.params)
      .filter(([key]) => key !== 'access_token')
      .map(([key, value]) => ({ key, value }));
    const oauth = request.params['access_token'] ? [{ key: 'oauth', value: '1' }] : [];
    const requestParams = [{ key: 'method', value: method }, ...oauth, ...echoed];
    return json({ error: { ...fields, request_params: fields.request_params ?? requestParams } });
  };

  const apiRoute: RouteHandler = async (request, match) => {
    const method = decodeURIComponent(match[1] ?? '');
    const { access_token: token, v } = request.params;
    if (!token) {
      return apiError(request, method, { error_code: 5, error_msg: 'User authorization failed: no access_token passed.' });
    }
    if (acceptedTokens !== undefined && !acceptedTokens.has(token)) {
      return apiError(request, method, { error_code: 5, error_msg: 'User authorization failed: invalid access_token (4).' });
    }
    if (!v) return apiError(request, method, { error_code: 8, error_msg: 'Invalid request: v is required' });
    if (!(Number(v) >= 5 && Number(v) <= Number(version))) {
      return apiError(request, method, { error_code: 8, error_msg: `Invalid request: version ${v} is not supported` });
    }
    const handler = methods.get(method);
    if (!handler && method === 'execute') return json(await runExecute(request));
    if (!handler) return apiError(request, method, { error_code: 3, error_msg: 'Unknown method passed' });

    let result: unknown;
    try {
      result = await handler(request.params, request);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      result = error;
    }
    if (result instanceof RawReply) return result;
    if (result instanceof FakeApiError) return apiError(request, method, result.fields);
    return json({ response: result });
  };
  routes.push({
    pattern: /^\/method\/([^/]+)$/,
    handler: (request, match) => {
      const method = decodeURIComponent(match[1] ?? '');
      const answer = gates.reduceRight<() => Promise<RawReply>>(
        (next, gate) => () => gate(request, method, next),
        async () => apiRoute(request, match),
      );
      return answer();
    },
  });

  // execute, unless a test answers it itself: runs the script's calls against the
  // method handlers, with the script's token and version.
  const runExecute = async (request: RecordedRequest) => {
    try {
      return await runBatchScript(request.params['code'] ?? '', async (method, params) => {
        const handler = methods.get(method);
        if (!handler) return { error: { error_code: 3, error_msg: 'Unknown method passed' } };
        const inner = { ...request, path: `/method/${method}`, params: { ...request.params, ...params } };
        try {
          const result = await handler(inner.params, inner);
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

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', () => {
    connectionCount += 1;
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const request = await record(req);
    requests.push(request);
    let reply: RawReply;
    try {
      const found = findRoute(request.path);
      reply = found ? await found.handler(request, found.match) : new RawReply(404, 'Not Found');
    } catch (error) {
      if (error instanceof DropConnection) throw error;
      reply = new RawReply(500, `fake VK handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
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

  return {
    url,
    apiBaseUrl: `${url}/method`,
    requests,
    get connectionCount() {
      return connectionCount;
    },
    reply(method: string, handlerOrValue: unknown) {
      methods.set(method, typeof handlerOrValue === 'function' ? (handlerOrValue as MethodHandler) : () => handlerOrValue);
    },
    replyError(method, fields) {
      methods.set(method, () => new FakeApiError(fields));
    },
    route(path, handler) {
      const pattern = typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path;
      const route = { pattern, handler };
      routes.push(route);
      return () => {
        const index = routes.indexOf(route);
        if (index >= 0) routes.splice(index, 1);
      };
    },
    gate(gate) {
      gates.push(gate);
      return () => {
        const index = gates.indexOf(gate);
        if (index >= 0) gates.splice(index, 1);
      };
    },
    async close() {
      // Also ends requests a handler never answers (timeout tests).
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function record(req: http.IncomingMessage): Promise<RecordedRequest> {
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
