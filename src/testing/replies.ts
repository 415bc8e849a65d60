// What the fake VK server receives and answers, shared by the server, its gates and
// its faults: the recorded HTTP request, raw replies, VK errors, a dropped connection.

import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP request the fake received, as it came: the token and any other secret included. */
export interface RecordedRequest {
  /** HTTP method, e.g. `POST`. */
  readonly httpMethod: string;
  /** Path without the query, e.g. `/method/users.get`. */
  readonly path: string;
  /** Full URL, query included. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly query: Readonly<Record<string, string>>;
  /** The form body, parsed (empty unless the body is form-encoded). */
  readonly body: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /** Query and body params together; body wins, as in VK. */
  readonly params: Readonly<Record<string, string>>;
}

/** A reply written as is: status, body (bytes and text as they are, other objects as JSON), headers. */
export class RawReply {
  constructor(
    readonly status: number,
    readonly body: string | Uint8Array | object,
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

/** Returned (or thrown) by a method handler, or injected as a fault, to answer with a VK error. */
export class FakeApiError {
  constructor(readonly fields: FakeErrorFields) {}
}

/** Thrown by a gate or handler to drop the connection without a reply. */
export class DropConnection extends Error {}

/** Untyped method handler: the call's form params as strings (`access_token` and `v`
 * included) and the request. Returns a value (sent as `{response: value}`), a
 * `FakeApiError` or a `RawReply`. */
export type MethodHandler = (params: Readonly<Record<string, string>>, request: RecordedRequest) => unknown;

/** Answers the requests of a path (OAuth pages, upload hosts, anything not `/method/`). */
export type RouteHandler = (request: RecordedRequest, match: RegExpExecArray) => RawReply | Promise<RawReply>;

/** Runs around the API route (direct calls and execute alike): may answer itself,
 * call `next()` for the normal answer, or throw `DropConnection`. */
export type ApiGate = (request: RecordedRequest, method: string, next: () => Promise<RawReply>) => Promise<RawReply>;

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

/** VK's error reply to `request`: `request_params` echoes the call's params, with
 * `method` and `oauth` added and the token left out, as VK does. A `captcha_img` or
 * `redirect_uri` given as a path (see vk-errors.ts) is made a URL of the fake. */
export function apiErrorReply(request: RecordedRequest, method: string, fields: FakeErrorFields): RawReply {
  const echoed = Object.entries(request.params)
    .filter(([key]) => key !== 'access_token')
    .map(([key, value]) => ({ key, value }));
  const oauth = request.params['access_token'] ? [{ key: 'oauth', value: '1' }] : [];
  const requestParams = [{ key: 'method', value: method }, ...oauth, ...echoed];
  const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
  const onFake = (value: unknown) => (typeof value === 'string' && value.startsWith('/') ? `${origin}${value}` : value);
  const urls = {
    ...('captcha_img' in fields && { captcha_img: onFake(fields['captcha_img']) }),
    ...('redirect_uri' in fields && { redirect_uri: onFake(fields['redirect_uri']) }),
  };
  return json({ error: { ...fields, ...urls, request_params: fields.request_params ?? requestParams } });
}
