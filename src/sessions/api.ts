// `API`: the session for a token you already have. Every other session class builds
// on it; the generated sections hand their calls to `callMethod`.

import type { InspectOptions } from 'node:util';
import { methodInfo, schemaVersion, type MethodName, type PaginatedMethod } from '../../generated/methods.js';
import { SectionsBase, type TokenScope } from '../../generated/sections.js';
import {
  defaultCaptchaAttempts,
  defaultMaxHandlerRetries,
  recoverFromApiError,
  type ApiErrorHandlers,
  type ApiErrorHookOptions,
  type ApiErrorRequest,
  type CaptchaError,
} from './error-recovery.js';
import type { CaptchaAnswer } from '../auth/challenges.js';
import { CallSender } from '../pipeline/call-sender.js';
import { encodeParams, type ParamEncodings } from '../pipeline/encode-params.js';
import { ApiError } from '../core/errors.js';
import type { ApiCall, CallOptions } from '../core/calls.js';
import type { ApiReply, ExecuteResult } from '../core/replies.js';
import { addDeduplicationKey } from '../core/method-traits.js';
import type { MethodParams, MethodWithOptionalParams, NoExtraKeys, SelectResponse, WithExtraParams } from '../core/method-types.js';
import { paginate, type PageItem, type PageParams, type PaginateOptions } from '../pagination/paginate.js';
import { Prompter, type InteractiveStreams } from './interactive.js';
import { defaultRateLimits } from '../pipeline/rate-limit.js';
import type { RateLimitStore } from '../pipeline/rate-limit-store.js';
import { TokenPool, type TokenRejection } from '../pipeline/token-pool.js';
import { checkRetryPolicy, defaultRetryPolicy, type RetryPolicy } from '../pipeline/retry.js';
import type { HttpDispatcher } from '../http/dispatcher.js';
import { Transport } from '../http/transport.js';
import { SchemaChecks, type ResponseCheckMode, type ResponseProblemsHandler } from '../validation/schema-checks.js';
import { untilAborted } from '../core/until-aborted.js';
import { Uploads } from '../uploads/uploads.js';

/** The options of an `API` session. */
export interface APIOptions<T extends TokenScope = 'any'> extends SessionOptions<T> {
  /** Sent as `access_token` with every call that does not pass its own. */
  accessToken?: string;
}

/** The options of an `API` session besides its token, shared by `APIOptions` and
 * `TokenPoolOptions`. (An interface rather than `Omit<APIOptions<T>, 'accessToken'>`:
 * inferring `T` through `Omit` costs every `new API(...)` a mapped type and a
 * conditional type per option.) */
export interface SessionOptions<T extends TokenScope = 'any'> extends ApiErrorHookOptions {
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
  /** Milliseconds per request (default 10 000), from send to the end of the reply;
   * time queued behind the rate limit does not count, and each retry gets its own.
   * `CallOptions.timeout` overrides it; to bound a whole call, pass a `signal`
   * such as `AbortSignal.timeout(ms)`. */
  timeout?: number;
  /** Requests per second on the session's token (each token of a pool), counting the
   * requests of every session that uses the same token through the same store (every
   * session of the process, by default); `false` turns limiting off. Default by
   * `tokenType`: 20 for `'group'`, else 3. */
  rateLimit?: number | false;
  /** Where the tokens' rate limits are kept. Default: this process, shared by its
   * sessions. To share a token's limit between processes (several workers on one
   * token), give them one store such as `new RedisRateLimitStore({ url })` from
   * `vk-typed/redis`. */
  rateLimitStore?: RateLimitStore;
  /** Retries of a failed call (default 3): network errors, HTTP 5xx, VK errors 6, 9
   * and 10. A call that may have reached VK is retried only if repeating it is
   * harmless (reads; writes with a `random_id`/`guid`, which `messages.send` and
   * others get automatically). `CallOptions.maxRetries` overrides it. */
  maxRetries?: number;
  /** Backoff between retries, in ms (full jitter): retry n waits a random time up to
   * `min(max, initial * 2^n)`. Default `{ initial: 500, max: 8000 }`. */
  retryDelay?: { initial?: number; max?: number };
  /** Coalesces concurrent calls into `execute` requests of up to 25 calls each
   * (upload saves and `execute` itself still go alone); every caller gets its own
   * result or error. One execute counts once against the rate limit, so a user
   * token carries about 75 calls/s instead of 3. Default `false`. */
  batching?: boolean;
  /** An HTTP(S) proxy URL for every request the session makes: a shortcut for
   * `dispatcher: new ProxyAgent(url)`; give one or the other. */
  proxy?: string;
  /** Your own undici `Dispatcher` (7 or later), carrying every request of the session,
   * API calls and logins alike: a `MockAgent` in tests, an `Agent` composed with
   * interceptors for logging or metrics, a `ProxyAgent`. Rate limits, retries,
   * timeouts and `signal` work over it as over the session's own; `close()` leaves
   * it open, for its owner to close. */
  dispatcher?: HttpDispatcher;
  /** More params sent with every call; a call's own params win. */
  extraParams?: Record<string, string | number | boolean>;
  /** Receives the errors of the methods that failed inside an `execute` that
   * succeeded overall (throw to fail the call). Default: one `console.warn` line each. */
  onExecuteErrors?: (errors: ApiError[]) => void;
  /** Asks on the terminal (or the given streams) for what the session was not given:
   * the token, a login, a password, captcha keys, 2FA codes. */
  interactive?: boolean | InteractiveStreams;
  /** Checks every call's params against the schema before sending (default `true`):
   * a bad call throws a `ValidationError` listing every problem, and nothing is sent.
   * Methods the schema lacks are not checked. */
  validate?: boolean;
  /** Checks VK's responses against the schema, to catch schema drift: fields VK sent
   * that the schema lacks, values of another type. `'warn'` reports them to
   * `onResponseProblems`, `'throw'` throws a `ResponseValidationError` (the call did
   * reach VK). Default `'off'`. */
  validateResponses?: ResponseCheckMode;
  /** Receives the problems of one response under `validateResponses: 'warn'` (throw to
   * fail the call). Default: one `console.warn` line per problem. */
  onResponseProblems?: ResponseProblemsHandler;
}

/** An `API` session over a pool of tokens: each call that brings no `access_token` of
 * its own goes out on the least busy token of the pool, each token within its own
 * rate limit, so N tokens carry about N times the calls of one. A token VK rejects
 * (error 5) leaves the pool with a report and the call moves to another; calls fail
 * only when no token is left. Batched calls share an `execute` per token. */
export interface TokenPoolOptions<T extends TokenScope = 'any'> extends SessionOptions<T> {
  /** The tokens, all of one `tokenType`; each is kept as a secret (never printed). */
  accessToken: readonly string[];
  /** Told when VK rejected a token of the pool (error 5) and it left the pool.
   * Default: one `console.warn` line, the token censored. */
  onTokenRejected?: (rejection: TokenRejection) => void;
}

const defaultApiBaseUrl = 'https://api.vk.ru/method';

/** Set in the class's static block, the one place that may read a session's transport. */
let readTransport: (api: API<TokenScope, object>) => Transport;

/** @internal The HTTP client of a session, for features that make requests of their
 * own beside API calls (long poll servers, upload hosts) through the same dispatcher,
 * proxy and timeout. Kept out of the published types. */
export function sessionTransport(api: API<TokenScope, object>): Transport {
  return readTransport(api);
}
const defaultTimeout = 10_000;

/**
 * @typeParam T the token type the sections are narrowed to
 * @typeParam X params every method takes besides its own (CommunityAPI's `group_id`)
 */
export class API<T extends TokenScope = 'any', X extends object = {}> extends SectionsBase<T, X> {
  // Private, so that printing the session (or anything holding it) cannot show it.
  #accessToken: string | undefined;
  /** What printing the session shows besides what subclasses add. */
  readonly #settings: { readonly tokenType: string; readonly apiBaseUrl: string; readonly v: string };
  /** @internal The HTTP client of this session: API calls, and the auth flows of
   * subclasses. Internal, so that the published types do not pull in undici's. */
  protected readonly transport: Transport;
  readonly #commonParams: URLSearchParams;
  readonly #sender: CallSender;
  readonly #onExecuteErrors: (errors: ApiError[]) => void;
  /** Handlers for VK errors keyed by code (the `apiErrorHandlers` option); a subclass
   * may override this field, as the seed's `on_api_error_<code>` methods. */
  protected apiErrorHandlers: ApiErrorHandlers;
  /** Interactive mode's questions, when the session is interactive. */
  protected readonly prompter: Prompter | undefined;
  /** The captcha answers tried for one call or one login. */
  protected readonly captchaAttempts: number;
  readonly #maxHandlerRetries: number;
  readonly #onApiError: ApiErrorHookOptions['onApiError'];
  readonly #getCaptchaKey: ApiErrorHookOptions['getCaptchaKey'];
  readonly #checks: SchemaChecks;
  readonly #retryPolicy: RetryPolicy;
  #uploads: Uploads<X> | undefined;

  static {
    readTransport = (api) => api.transport;
  }

  constructor(options: APIOptions<T> | TokenPoolOptions<T> = {}) {
    super();
    const pool = isTokenPool(options) ? new TokenPool(options.accessToken, options.onTokenRejected) : undefined;
    this.#accessToken = isTokenPool(options) ? undefined : options.accessToken;
    const apiBaseUrl = new URL(options.apiBaseUrl ?? defaultApiBaseUrl).href.replace(/\/+$/, '');
    const v = options.v ?? schemaVersion;
    this.#settings = { tokenType: options.tokenType ?? 'any', apiBaseUrl, v };
    this.#commonParams = encodeParams({
      v,
      lang: options.lang,
      test_mode: options.testMode ? 1 : undefined,
      ...options.extraParams,
    });
    this.transport = new Transport({
      timeout: options.timeout ?? defaultTimeout,
      proxy: options.proxy,
      dispatcher: options.dispatcher,
    });
    this.#retryPolicy = checkRetryPolicy({
      maxRetries: options.maxRetries ?? defaultRetryPolicy.maxRetries,
      initialDelay: options.retryDelay?.initial ?? defaultRetryPolicy.initialDelay,
      maxDelay: options.retryDelay?.max ?? defaultRetryPolicy.maxDelay,
    });
    this.#sender = new CallSender({
      transport: this.transport,
      apiBaseUrl,
      rateLimit: options.rateLimit ?? defaultRateLimits[options.tokenType ?? 'any'],
      rateLimitStore: options.rateLimitStore,
      tokenPool: pool,
      retryPolicy: this.#retryPolicy,
      batching: options.batching ?? false,
    });
    this.#onExecuteErrors = options.onExecuteErrors ?? warnExecuteErrors;
    this.apiErrorHandlers = options.apiErrorHandlers ?? {};
    this.prompter = options.interactive ? new Prompter(options.interactive === true ? {} : options.interactive) : undefined;
    this.captchaAttempts = checkCount('captchaAttempts', options.captchaAttempts ?? defaultCaptchaAttempts);
    this.#maxHandlerRetries = checkCount('maxHandlerRetries', options.maxHandlerRetries ?? defaultMaxHandlerRetries);
    this.#onApiError = options.onApiError;
    this.#getCaptchaKey = options.getCaptchaKey;
    this.#checks = new SchemaChecks(options);
  }

  /** Calls a method by name with typed params; the response type follows the params
   * (e.g. `extended: true` selects the extended response). */
  call<M extends MethodName, const P extends WithExtraParams<MethodParams<M>, X>>(
    method: M,
    params: P & NoExtraKeys<P, WithExtraParams<MethodParams<M>, X>>,
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

  /**
   * The items of every page of a method with `offset` and `count` params, one by
   * one: `for await (const post of api.paginate('wall.get', { owner_id: 1 }))`.
   * Each item comes once, in order, also when the list changes during the walk
   * (see src/pagination/page-walk.ts). Options: `pageSize`, `limit`, `startOffset`, and
   * `executePages` to fetch up to 25 pages per `execute` request.
   */
  paginate<M extends PaginatedMethod, const P extends PageParams<M>>(
    method: M,
    params: P & NoExtraKeys<P, PageParams<M>>,
    options?: PaginateOptions,
  ): AsyncGenerator<PageItem<M, P>, void, undefined>;
  /** Paginates a method whose params are all optional without params. */
  paginate<M extends PaginatedMethod & MethodWithOptionalParams>(
    method: M,
    params?: undefined,
    options?: PaginateOptions,
  ): AsyncGenerator<PageItem<M, {}>, void, undefined>;
  paginate(method: PaginatedMethod, params?: object, options: PaginateOptions = {}): AsyncGenerator<unknown, void, undefined> {
    return paginate(method, params, options, {
      call: (pageParams, callOptions) => this.callMethod(method, pageParams, callOptions),
      execute: (code, callOptions) => this.execute({ code }, callOptions),
      checkParams: (pageParams) => this.#checks.checkParams(method, pageParams),
      checkResponse: (pageParams, response) => this.#checks.checkResponse(method, pageParams, response),
    });
  }

  /**
   * File uploads: `await api.upload.messagePhoto({ peer_id, source: { path: 'cat.jpg' } })`
   * gets the upload URL, streams the file to VK's upload host and saves it, returning
   * what the save method returns (see src/uploads/). The API calls go through this
   * session's rate limit and retries; the POST through its dispatcher, without the token.
   */
  get upload(): Uploads<X> {
    this.#uploads ??= new Uploads({
      call: (method, params, options) => this.callMethod(method, params, options),
      transport: this.transport,
      retryPolicy: this.#retryPolicy,
    });
    return this.#uploads;
  }

  /** The token for a call (asked for once in interactive mode); none over a pool, whose
   * tokens the pipeline picks from. Sessions that log in, or hold one token per
   * community, override it: a token they return wins over the pool. */
  protected async accessTokenFor(_call: ApiCall): Promise<string | undefined> {
    if (this.accessToken === undefined && this.prompter !== undefined && !this.#sender.pooled)
      this.accessToken = await this.prompter.accessToken();
    return this.accessToken;
  }

  /** The params a call is checked and sent with: its own. CommunityAPI drops the
   * `group_id` that only picked the token. */
  protected async paramsToSend(call: ApiCall): Promise<object | undefined> {
    return call.params;
  }

  /** What to do with an error VK answered a call with: a handler keyed by its code,
   * the captcha answer for error 14, else `onApiError` (src/sessions/error-recovery.ts). */
  protected async recover(error: ApiError, call: ApiCall): Promise<ApiReply> {
    return recoverFromApiError(error, call, {
      handlers: this.apiErrorHandlers,
      onApiError: (apiError, request) => this.onApiError(apiError, request),
      getCaptchaKey: (apiError, signal) => this.getCaptchaKey(apiError, signal),
      captchaAttempts: this.captchaAttempts,
      maxHandlerRetries: this.#maxHandlerRetries,
      send: (next) => this.#send(next),
    });
  }

  /** Sends a call once more, without recovery: its form is made afresh (the token
   * picked again by `accessTokenFor`). For a subclass's `recover` that removed the
   * cause first (VKIDUserAPI refreshes its token on error 5, then re-sends). */
  protected resend(call: ApiCall): Promise<ApiReply> {
    return this.#send(call);
  }

  /** Handles a VK error no handler keyed by its code took (the seed's `on_api_error`);
   * the return value becomes the call's result. Default: the `onApiError` option, else throw. */
  protected onApiError(error: ApiError, request: ApiErrorRequest): unknown {
    if (this.#onApiError === undefined) throw error;
    return this.#onApiError(error, request);
  }

  /** Answers a captcha (the seed's `get_captcha_key`). Default: the `getCaptchaKey`
   * option, else a prompt in interactive mode (withdrawn when `signal` aborts), else
   * the error is thrown. */
  protected getCaptchaKey(error: CaptchaError, signal?: AbortSignal): CaptchaAnswer | Promise<CaptchaAnswer> {
    if (this.#getCaptchaKey !== undefined) return this.#getCaptchaKey(error);
    const asked = this.prompter?.captchaAnswer(error, signal);
    if (asked !== undefined) return asked;
    throw error;
  }

  async #perform(userCall: ApiCall): Promise<ApiReply> {
    // Every wait of the call listens to a signal of its own, linked to the caller's by
    // one listener per session, however many calls share it (no leak warning at 11).
    const link = this.#sender.link(userCall.options.signal);
    const call: ApiCall =
      link.signal === undefined ? userCall : { ...userCall, options: { ...userCall.options, signal: link.signal } };
    try {
      return await this.#send(call);
    } catch (error) {
      if (error instanceof ApiError) return await this.recover(error, call);
      throw error;
    } finally {
      link.end();
    }
  }

  async #send(call: ApiCall): Promise<ApiReply> {
    const params = await this.paramsToSend(call);
    await this.#checks.checkParams(call.method, params);
    const form = await this.#form(call, params);
    const reply = await this.#dispatch(call.method, form, call.options);
    await this.#checks.checkResponse(call.method, params, reply.response);
    return reply;
  }

  /** The form body: common params, then the token (picked by the whole call), then
   * the params to send, which win. */
  async #form(call: ApiCall, params: object | undefined): Promise<URLSearchParams> {
    const form = new URLSearchParams(this.#commonParams);
    // A login or a prompt for the token may take forever; the call stops on its signal.
    const token = await untilAborted(this.accessTokenFor(call), call.options.signal);
    if (token !== undefined) form.set('access_token', token);
    for (const [key, value] of encodeParams(params, encodingsOf(call.method))) form.set(key, value);
    // Made once per call, so that every retry carries the same key and VK runs it once.
    addDeduplicationKey(call.method, form);
    return form;
  }

  /** Sends one form to VK (rate limit, retries, batching: see ../pipeline/call-sender.ts) and unwraps the reply. */
  #dispatch(method: string, form: URLSearchParams, options: CallOptions): Promise<ApiReply> {
    return this.#sender.send(method, form, options);
  }

  /** The token sent with calls; subclasses that log in set it. */
  protected get accessToken(): string | undefined {
    return this.#accessToken;
  }

  protected set accessToken(token: string | undefined) {
    this.#accessToken = token;
  }

  /** What printing the session shows (`console.log`, `util.inspect`, `JSON.stringify`):
   * its settings and whether it holds a token, never a secret. Subclasses add theirs. */
  protected printable(): Record<string, unknown> {
    return { ...this.#settings, authorized: this.#accessToken !== undefined || this.#sender.pooled };
  }

  toJSON(): Record<string, unknown> {
    return { session: this.constructor.name, ...this.printable() };
  }

  /** @internal `util.inspect.custom` (a registered symbol: no node:util at import);
   * kept out of the published types. `inspect` is the one util.inspect hands over. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: InspectOptions,
    inspect: (value: unknown, options: InspectOptions) => string,
  ): string {
    return `${this.constructor.name} ${inspect(this.printable(), options)}`;
  }

  /** Closes the client's connections; calls made afterwards fail. */
  async close(): Promise<void> {
    // Calls still waiting fail now and leave the token's queue to other sessions.
    this.#sender.close();
    await this.transport.close();
  }
}

function isTokenPool<T extends TokenScope>(options: APIOptions<T> | TokenPoolOptions<T>): options is TokenPoolOptions<T> {
  return Array.isArray(options.accessToken);
}

function encodingsOf(method: string): ParamEncodings | undefined {
  return Object.hasOwn(methodInfo, method) ? methodInfo[method as MethodName].encode : undefined;
}

function checkCount(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function warnExecuteErrors(errors: ApiError[]): void {
  for (const error of errors) console.warn(`Execute "${error.method ?? 'unknown method'}" error: ${error.message}`);
}
