// `API`: the session for a token you already have. Every other session class builds
// on it; the generated sections hand their calls to `callMethod`.

import { methodInfo, schemaVersion, type MethodName } from '../generated/methods.js';
import { SectionsBase, type TokenScope } from '../generated/sections.js';
import { isSecretKey } from './censor.js';
import { encodeParams, type ParamEncodings } from './encode-params.js';
import { ApiError, TransportError } from './errors.js';
import type { CallOptions } from './method-caller.js';
import type { MethodParams, MethodWithOptionalParams, NoExtraKeys, SelectResponse } from './method-types.js';
import { Transport } from './transport.js';

export interface APIOptions<T extends TokenScope = 'any'> {
  /** Sent as `access_token` with every call that does not pass its own. */
  accessToken?: string;
  /** The kind of token (`'user'`, `'group'`, `'service'`): the sections then show
   * only the methods it may call (`call()` still reaches every method). Default:
   * `'any'`, every method. */
  tokenType?: T;
  /** API version; defaults to the version of the schema the SDK was generated from. */
  v?: string;
  /** Language of VK's replies (`ru`, `en`, ...). */
  lang?: string;
  /** Sends `test_mode=1`, for apps in development. */
  testMode?: boolean;
  /** Default `https://api.vk.ru/method`. */
  apiBaseUrl?: string;
  /** Milliseconds per call (default 10 000); `CallOptions.timeout` overrides it. */
  timeout?: number;
  /** An HTTP(S) proxy URL for every request the session makes. */
  proxy?: string;
  /** More params sent with every call; a call's own params win. */
  extraParams?: Record<string, string | number | boolean>;
  /** Receives the errors of the methods that failed inside an `execute` that
   * succeeded overall (throw to fail the call). Default: one `console.warn` line each. */
  onExecuteErrors?: (errors: ApiError[]) => void;
}

const defaultApiBaseUrl = 'https://api.vk.ru/method';
const defaultTimeout = 10_000;

export class API<T extends TokenScope = 'any'> extends SectionsBase<T> {
  /** The token sent with calls; subclasses that log in set it. */
  protected accessToken: string | undefined;
  /** The HTTP client of this session: API calls, and the auth flows of subclasses. */
  protected readonly transport: Transport;
  readonly #apiBaseUrl: string;
  readonly #commonParams: URLSearchParams;
  readonly #onExecuteErrors: (errors: ApiError[]) => void;

  constructor(options: APIOptions<T> = {}) {
    super();
    this.accessToken = options.accessToken;
    this.#apiBaseUrl = new URL(options.apiBaseUrl ?? defaultApiBaseUrl).href.replace(/\/+$/, '');
    this.#commonParams = encodeParams({
      v: options.v ?? schemaVersion,
      lang: options.lang,
      test_mode: options.testMode ? 1 : undefined,
      ...options.extraParams,
    });
    this.transport = new Transport({ timeout: options.timeout ?? defaultTimeout, proxy: options.proxy });
    this.#onExecuteErrors = options.onExecuteErrors ?? warnExecuteErrors;
  }

  /** Calls a method by name with typed params; the response type follows the params
   * (e.g. `extended: true` selects the extended response). */
  call<M extends MethodName, const P extends MethodParams<M>>(
    method: M,
    params: P & NoExtraKeys<P, MethodParams<M>>,
    options?: CallOptions,
  ): Promise<SelectResponse<M, P>>;
  /** Calls a method whose params are all optional without params. */
  call<M extends MethodWithOptionalParams>(method: M, params?: undefined, options?: CallOptions): Promise<SelectResponse<M, {}>>;
  /** Calls a method the schema lacks (an escape hatch: nothing is type-checked). */
  call<N extends string>(
    method: N extends MethodName ? never : N,
    params?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<unknown>;
  call(method: string, params?: object, options?: CallOptions): Promise<unknown> {
    return this.callMethod(method, params, options);
  }

  override async callMethod<R>(method: string, params: object | undefined, options: CallOptions = {}): Promise<R> {
    const { response, executeErrors } = await this.#perform({ method, params, options });
    if (executeErrors.length > 0) this.#onExecuteErrors(executeErrors);
    return response as R;
  }

  /**
   * Runs VKScript: up to 25 API calls in one request. Unlike `call('execute', ...)`,
   * the errors of the calls that failed inside a script that succeeded come back
   * beside its result instead of going to `onExecuteErrors`.
   */
  async execute<R = unknown>(params: MethodParams<'execute'>, options: CallOptions = {}): Promise<ExecuteResult<R>> {
    const { response, executeErrors } = await this.#perform({ method: 'execute', params, options });
    return { response: response as R, executeErrors };
  }

  /** The token for a call. Sessions that log in, or hold one token per community, override it. */
  protected async accessTokenFor(_call: ApiCall): Promise<string | undefined> {
    return this.accessToken;
  }

  /** What to do with an error VK answered a call with; the default rethrows it. */
  protected async recover(error: ApiError, _call: ApiCall): Promise<ApiReply> {
    throw error;
  }

  async #perform(call: ApiCall): Promise<ApiReply> {
    try {
      return await this.#send(call);
    } catch (error) {
      if (error instanceof ApiError) return this.recover(error, call);
      throw error;
    }
  }

  async #send(call: ApiCall): Promise<ApiReply> {
    const form = await this.#form(call);
    return this.#dispatch(call.method, form, call.options);
  }

  /** The form body: common params, then the token, then the call's own params, which win. */
  async #form(call: ApiCall): Promise<URLSearchParams> {
    const form = new URLSearchParams(this.#commonParams);
    const token = await this.accessTokenFor(call);
    if (token !== undefined) form.set('access_token', token);
    for (const [key, value] of encodeParams(call.params, encodingsOf(call.method))) form.set(key, value);
    return form;
  }

  /** Sends one form to VK and unwraps the reply. */
  async #dispatch(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    const secrets = [...form].filter(([key]) => isSecretKey(key)).map(([, value]) => value);
    const reply = await this.transport.postForm(`${this.#apiBaseUrl}/${encodeURIComponent(method)}`, form, {
      signal: options.signal,
      timeout: options.timeout,
      secrets,
    });
    return unwrap(method, reply, secrets);
  }

  /** Closes the client's connections; calls made afterwards fail. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** What `execute` gives back: the script's result and the errors of the calls that failed in it. */
export interface ExecuteResult<R> {
  response: R;
  executeErrors: ApiError[];
}

/** One call as the session handles it. */
export interface ApiCall {
  readonly method: string;
  readonly params: object | undefined;
  readonly options: CallOptions;
}

/** VK's reply to a call that succeeded: the result, and the errors of calls that failed inside an execute. */
export interface ApiReply {
  response: unknown;
  executeErrors: ApiError[];
}

function unwrap(method: string, reply: unknown, secrets: readonly string[]): ApiReply {
  if (isRecord(reply) && isRecord(reply['error'])) throw new ApiError(reply['error'], secrets);
  if (!isRecord(reply) || !('response' in reply)) {
    throw new TransportError(`${method}: the reply is neither {response} nor {error: {...}}`);
  }
  const executeErrors = reply['execute_errors'];
  return {
    response: reply['response'],
    executeErrors: Array.isArray(executeErrors) ? executeErrors.filter(isRecord).map((e) => new ApiError(e, secrets)) : [],
  };
}

function encodingsOf(method: string): ParamEncodings | undefined {
  return Object.hasOwn(methodInfo, method) ? methodInfo[method as MethodName].encode : undefined;
}

function warnExecuteErrors(errors: ApiError[]): void {
  for (const error of errors) console.warn(`Execute "${error.method ?? 'unknown method'}" error: ${error.message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
