// One upload, in three steps: the upload-server method (an API call, through the
// session's limiter and retries), the multipart POST of the file to the URL it gave
// (through the session's dispatcher; never with the token), and the save method with
// what the host replied. A VK error of an API call stays an ApiError; any other
// failure is an UploadError naming its step. The save step runs only after an upload
// that the host took, and at most once.

import type { Dispatcher } from 'undici';
import { methodInfo } from '../../generated/methods.js';
import type { CallOptions } from '../core/calls.js';
import { ApiError, ParamEncodingError, TimeoutError, TransportError, ValidationError } from '../core/errors.js';
import { longestTimerMs } from '../core/timers.js';
import { checkMaxRetries, withRetries, type RetryPolicy } from '../pipeline/retry.js';
import { sendToHost, type HostReply } from './host-request.js';
import { saveParamsFromReply } from './host-reply.js';
import { uploadKinds, type UploadKind, type UploadKindSpec } from './kinds.js';
import { paramSchemaOf, type MethodParamSchema } from './method-params.js';
import { multipartBody } from './multipart.js';
import { saveMethodOf } from './pairs.js';
import { openSources, type UploadFile } from './sources.js';
import { UploadError, type UploadStep } from './upload-error.js';
import type { UploadOptions, UploadProgress, UploadSource } from './upload-types.js';

/** What an upload needs of its session. */
export interface UploadSession {
  /** An API call made the session's way: token, rate limit, retries, params check. */
  call(method: string, params: object, options: CallOptions): Promise<unknown>;
  /** The session's HTTP client: its dispatcher carries the POST and `{ url }`
   * downloads; its timeout is each step's default. */
  readonly transport: { readonly dispatcher: Dispatcher; readonly timeout: number };
  /** The session's retries and backoff, for the POST's own retries. */
  readonly retryPolicy: RetryPolicy;
}

interface Settings {
  readonly signal: AbortSignal | undefined;
  readonly server: number | undefined;
  readonly upload: number;
  readonly save: number | undefined;
  readonly onProgress: ((progress: UploadProgress) => void) | undefined;
  readonly maxRetries: number | undefined;
  readonly groupId: number | undefined;
}

const methodNames: ReadonlySet<string> = new Set(Object.keys(methodInfo));

/** Runs upload `kind` with the caller's `params` (the file and both methods' params). */
export async function runUpload(
  kind: UploadKind,
  params: object,
  options: UploadOptions,
  session: UploadSession,
): Promise<unknown> {
  const spec: UploadKindSpec = uploadKinds[kind];
  const settings = checkOptions(options, session.transport.timeout);
  const { sources, rest } = takeSources(kind, spec, params);
  const save = spec.fromReply === undefined ? undefined : saveMethodOf(spec.server, methodNames);
  if (spec.fromReply !== undefined && save === undefined)
    throw new Error(`${kind}: the schema has no save method for ${spec.server}`);
  const [serverSchema, saveSchema] = await Promise.all([
    paramSchemaOf(spec.server),
    save === undefined ? undefined : paramSchemaOf(save),
  ]);
  const [serverParams, saveParams] = splitParams(kind, spec, serverSchema, saveSchema, rest);
  settings.signal?.throwIfAborted();

  const files = await openSources(sources, {
    kind,
    defaultFilename: spec.defaultFilename,
    dispatcher: () => session.transport.dispatcher,
    timeout: settings.upload,
    signal: settings.signal,
  });
  try {
    const server = await step('server', settings, () =>
      session.call(spec.server, serverParams, callOptions(settings, 'server')),
    );
    const url = uploadUrlOf(server);
    const reply = await step('upload', settings, () =>
      postFiles(url, files, spec, settings, session),
    );
    const fromReply = saveParamsFromReply(reply, spec.fromReply ?? {});
    if (save === undefined || saveSchema === undefined) return server;
    for (const [param, value] of Object.entries(fromReply)) fromReply[param] = saveSchema.asParam(param, value);
    return await step('save', settings, () =>
      session.call(save, { ...saveParams, ...fromReply }, callOptions(settings, 'save')),
    );
  } finally {
    for (const file of files) file.close();
  }
}

/** The POST, sent again only when the host cannot have stored the file: the
 * connection was refused or never made, or it answered 429 (see ../pipeline/retry.ts). */
async function postFiles(
  url: URL,
  files: readonly UploadFile[],
  spec: UploadKindSpec,
  settings: Settings,
  session: UploadSession,
): Promise<HostReply> {
  const numbered = (spec.maxFiles ?? 1) > 1;
  const parts = files.map((file, n) => ({ name: numbered ? `${spec.field}${n + 1}` : spec.field, file }));
  const sizes = files.map((file) => file.size);
  const total = sizes.every((size) => size !== undefined) ? sizes.reduce((sum, size) => sum + size, 0) : undefined;
  let failure: unknown;
  const attempt = async (): Promise<HostReply> => {
    if (failure !== undefined && files.some((file) => !file.reopenable))
      throw new UploadError('upload', 'the stream was read already and cannot be sent again', { cause: failure });
    let loaded = 0;
    const { headers, body } = await multipartBody(parts, (bytes) => {
      loaded += bytes;
      settings.onProgress?.({ loaded, total });
    });
    try {
      const reply = await sendToHost(session.transport.dispatcher, {
        url,
        headers,
        body,
        idleTimeout: settings.upload,
        signal: settings.signal,
      });
      // Refused unstored: worth another try (other statuses are the reply's to explain).
      if (reply.status === 429)
        throw new TransportError(`POST ${url.origin}${url.pathname} got HTTP 429`, {
          status: 429,
          bodyExcerpt: reply.text,
        });
      return reply;
    } catch (error) {
      failure = error;
      throw error;
    }
  };
  try {
    return await withRetries(attempt, {
      policy: { ...session.retryPolicy, maxRetries: settings.maxRetries ?? session.retryPolicy.maxRetries },
      replaySafe: false,
      signal: settings.signal,
    });
  } catch (error) {
    if (error instanceof TimeoutError)
      throw new UploadError('upload', `nothing moved to or from the upload host for ${error.timeout} ms`, {
        cause: error,
      });
    throw error;
  }
}

/** Runs one step; what fails in it, but for VK's errors, bad params and an abort, is an UploadError of that step. */
async function step<T>(name: UploadStep, { signal }: Settings, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof ApiError || error instanceof ValidationError || error instanceof ParamEncodingError)
      throw error;
    if (error instanceof UploadError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const transport = error instanceof TransportError ? error : undefined;
    throw new UploadError(name, message, { cause: error, status: transport?.status, reply: transport?.bodyExcerpt });
  }
}

function callOptions(settings: Settings, step: 'server' | 'save'): CallOptions {
  const options: CallOptions = {};
  if (settings.signal !== undefined) options.signal = settings.signal;
  if (settings[step] !== undefined) options.timeout = settings[step];
  if (settings.maxRetries !== undefined) options.maxRetries = settings.maxRetries;
  if (settings.groupId !== undefined) options.groupId = settings.groupId;
  return options;
}

function uploadUrlOf(reply: unknown): URL {
  const raw = isRecord(reply) ? reply['upload_url'] : undefined;
  if (typeof raw !== 'string' || raw === '') throw new UploadError('server', 'the reply has no upload_url');
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new UploadError('server', "the reply's upload_url is not an http(s) URL");
  return url;
}

/** The file sources, and the params of the two methods. */
function takeSources(
  kind: UploadKind,
  spec: UploadKindSpec,
  params: object,
): { sources: readonly UploadSource[]; rest: Record<string, unknown> } {
  if (!isRecord(params)) throw new TypeError(`${kind}: params must be an object`);
  const { source, sources, ...rest } = params;
  const most = spec.maxFiles ?? 1;
  if (most === 1) {
    if (sources !== undefined) throw new TypeError(`${kind} takes one file, as source`);
    if (source === undefined || source === null) throw new TypeError(`${kind}: source (the file) is required`);
    return { sources: [source as UploadSource], rest };
  }
  if (source !== undefined) throw new TypeError(`${kind} takes its files as sources: [...]`);
  if (!Array.isArray(sources) || sources.length === 0 || sources.length > most)
    throw new RangeError(
      `${kind}: sources must hold 1 to ${most} files, got ${Array.isArray(sources) ? sources.length : typeof sources}`,
    );
  return { sources, rest };
}

/** The caller's params split by the method that takes each: a param both take goes to
 * both (group_id), and one neither takes, too, for the session to judge (CommunityAPI's
 * group_id picks the token; the params check refuses a misspelt one). */
function splitParams(
  kind: UploadKind,
  spec: UploadKindSpec,
  server: MethodParamSchema,
  save: MethodParamSchema | undefined,
  params: Record<string, unknown>,
): [Record<string, unknown>, Record<string, unknown>] {
  const serverParams: Record<string, unknown> = {};
  const saveParams: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const withheld =
      spec.withheld !== undefined && Object.hasOwn(spec.withheld, key)
        ? spec.withheld[key as keyof typeof spec.withheld]
        : undefined;
    if (withheld !== undefined) throw new TypeError(`${kind}: ${key} cannot be set here: ${withheld}`);
    if (spec.fromReply !== undefined && Object.hasOwn(spec.fromReply, key))
      throw new TypeError(`${kind}: ${key} comes from the upload host's reply`);
    const toServer = server.names.has(key);
    const toSave = save?.names.has(key) ?? false;
    if (toServer || !toSave) serverParams[key] = value;
    if (toSave || !toServer) saveParams[key] = value;
  }
  return [serverParams, saveParams];
}

function checkOptions(options: UploadOptions, defaultTimeout: number): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('upload options must be an object');
  const { timeout, onProgress, maxRetries, signal, groupId } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new TypeError('onProgress must be a function');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  const timeouts =
    typeof timeout === 'number' || timeout === undefined
      ? { server: timeout, upload: timeout, save: timeout }
      : timeout;
  for (const [name, value] of Object.entries(timeouts)) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= longestTimerMs))
      throw new RangeError(
        `timeout${typeof timeout === 'object' ? `.${name}` : ''} must be a positive number of milliseconds up to ${longestTimerMs}, got ${value}`,
      );
  }
  return {
    signal,
    server: timeouts.server,
    upload: timeouts.upload ?? defaultTimeout,
    save: timeouts.save,
    onProgress,
    maxRetries: maxRetries === undefined ? undefined : checkMaxRetries(maxRetries),
    groupId,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
