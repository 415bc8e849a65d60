// The errors the runtime throws. Everything VK sent is kept, with secrets censored
// (see censor.ts): an error may be logged anywhere, so it must be safe to print.

import { apiErrorDescriptions, type ApiErrorCode } from '../../generated/errors.js';
import { censorDeep, isSecretKey } from './censor.js';

/** Base class of every error this SDK throws. */
export class VkError extends Error {
  override name = 'VkError';
}

/** A param value that cannot be sent (a function, a symbol, NaN, ...); thrown
 * before anything is sent. */
export class ParamEncodingError extends VkError {
  override name = 'ParamEncodingError';

  /** Why the value cannot be sent; under a secret's name, without the value. */
  readonly reason: string;

  constructor(
    /** The param's path, e.g. `keyboard.buttons[0][1].action`. */
    readonly param: string,
    reason: string,
    /** `cause`: what the caller's getter, Proxy trap or `toJSON` threw. */
    options?: ErrorOptions,
  ) {
    // The reason may quote the value (`"a,b" contains a comma`).
    const shown = param.split(/[.[\]]+/).some((name) => isSecretKey(name)) ? reason.replace(quotedOrLongNumber, '***') : reason;
    super(`Cannot encode param "${param}": ${shown}`, options);
    this.reason = shown;
  }
}

const quotedOrLongNumber = /"(?:[^"\\]|\\.)*"|\d{4,}/g;

/** One problem a schema check found. */
export interface ValidationProblem {
  /** Where, as code writes it: a param path (`user_ids[3]`, `keyboard.buttons[0][1].action`),
   * or a response path (`response.items[0].text`). */
  readonly path: string;
  /** What is wrong and what was given (censored under secret names). */
  readonly message: string;
  /** `unknown`: a param or field the schema lacks; `invalid`: any other mismatch. */
  readonly kind: 'unknown' | 'invalid';
}

/** Params that do not match the method's schema. Lists every problem; thrown before anything is sent. */
export class ValidationError extends VkError {
  override name = 'ValidationError';

  constructor(
    /** The method called, e.g. `users.get`. */
    readonly method: string,
    readonly problems: readonly ValidationProblem[],
    options?: ErrorOptions,
  ) {
    super(`Invalid params for ${method}:${problemLines(problems)}`, options);
  }
}

/** A response that does not match the schema (`validateResponses: 'throw'`): fields VK
 * sent that the schema lacks, or values of another type. The call did reach VK. */
export class ResponseValidationError extends VkError {
  override name = 'ResponseValidationError';

  constructor(
    /** The method called, e.g. `users.get`. */
    readonly method: string,
    readonly problems: readonly ValidationProblem[],
  ) {
    super(`The response of ${method} does not match the schema:${problemLines(problems)}`);
  }
}

function problemLines(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `\n  ${p.path}: ${p.message}`).join('');
}

/** The request did not produce a VK reply: network failure, HTTP error status,
 * a body that is not VK's JSON. */
export class TransportError extends VkError {
  override name = 'TransportError';

  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Start of the response body, when it was not VK's JSON (secrets scrubbed). */
  readonly bodyExcerpt: string | undefined;
  /** Milliseconds the server asked to wait before trying again (HTTP `Retry-After`), when it said. */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    options: {
      status?: number | undefined;
      bodyExcerpt?: string | undefined;
      retryAfter?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.bodyExcerpt = options.bodyExcerpt;
    this.retryAfter = options.retryAfter;
  }
}

/** The call took longer than its `timeout`. */
export class TimeoutError extends TransportError {
  override name = 'TimeoutError';

  constructor(
    /** The timeout that ran out, in milliseconds. */
    readonly timeout: number,
    cause?: unknown,
  ) {
    super(`Request timed out after ${timeout} ms`, { cause });
  }
}

/** Fields of VK's errors that the SDK sends back to VK as they came: the transport
 * parses their numbers as strings holding VK's exact digits, since a JS number keeps
 * about 16 significant digits and `remixstlid` is a 64-bit integer (19 digits). */
export const verbatimFields: readonly string[] = ['remixstlid', 'captcha_sid', 'captcha_ts'];

/** One entry of VK's `request_params`. */
export interface RequestParam {
  readonly key: string;
  readonly value: string;
}

/** An error reply from VK (`{ error: {...} }`, or one item of `execute_errors`). */
export class ApiError extends VkError {
  override name = 'ApiError';

  /** VK's `error_code`. */
  readonly code: ApiErrorCode | (number & {});
  /** VK's `error_subcode`, when sent. */
  readonly subcode: number | undefined;
  /** VK's `error_msg`, verbatim (censored). */
  readonly errorMsg: string;
  /** VK's `error_text` (a message localized for end users), when sent. */
  readonly errorText: string | undefined;
  /** VK's `request_params` as sent, secrets censored. */
  readonly requestParams: readonly RequestParam[];
  /** `requestParams` as a record (a repeated key keeps its last value). */
  readonly requestParamsRecord: Readonly<Record<string, string>>;
  /** Where the user must go: to confirm the action (error 17), or to solve VK's
   * newer captcha (error 14), whose page gives the `successToken` to answer with. */
  readonly redirectUri: string | undefined;
  /** VK's `remixstlid` (error 14 with a `redirectUri`), sent back with the success
   * token: a string, every digit as VK sent it. */
  readonly remixstlid: string | undefined;
  /** Captcha id to send back with the answer (error 14). */
  readonly captchaSid: string | undefined;
  /** Captcha image URL (error 14). */
  readonly captchaImg: string | undefined;
  /** The failed method, for errors inside `execute`. */
  readonly method: string | undefined;
  /** Every field VK sent, secrets censored; those of `verbatimFields` as strings of VK's exact text. */
  readonly raw: Readonly<Record<string, unknown>>;

  /**
   * @param error the error object as VK sent it
   * @param secrets secret values known to the caller (the token, a captcha key)
   *   to scrub from every text field, should VK echo them
   */
  constructor(error: Readonly<Record<string, unknown>>, secrets: readonly string[] = []) {
    const raw = censorDeep(error, secrets) as Record<string, unknown>;
    const code = typeof raw['error_code'] === 'number' ? raw['error_code'] : Number(raw['error_code'] ?? NaN);
    const errorMsg = optionalString(raw['error_msg']) ?? '';
    const requestParams = toRequestParams(raw['request_params']);
    const requestParamsRecord = Object.fromEntries(requestParams.map((p) => [p.key, p.value]));

    const text = `${code}. ${errorMsg}`;
    super(raw['request_params'] === undefined ? text : `${text}. request_params = ${JSON.stringify(requestParamsRecord)}`);

    this.code = code;
    this.subcode = typeof raw['error_subcode'] === 'number' ? raw['error_subcode'] : undefined;
    this.errorMsg = errorMsg;
    this.errorText = optionalString(raw['error_text']);
    this.requestParams = requestParams;
    this.requestParamsRecord = requestParamsRecord;
    this.redirectUri = optionalString(raw['redirect_uri']);
    this.remixstlid = exactInteger(raw['remixstlid']);
    this.captchaSid = optionalString(raw['captcha_sid']);
    this.captchaImg = optionalString(raw['captcha_img']);
    this.method = optionalString(raw['method']);
    this.raw = raw;
  }

  /** The schema's description of this error code, when the schema knows it. */
  get description(): string | undefined {
    return apiErrorDescriptions[this.code];
  }
}

// captcha_sid and similar ids arrive as strings or numbers depending on the endpoint.
function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

// A number here comes from an error built by hand (replies give strings); beyond
// 2^53 it has lost digits already, and VK would refuse them.
function exactInteger(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

function toRequestParams(value: unknown): RequestParam[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (item === null || typeof item !== 'object') return [];
    const { key, value: paramValue } = item as Record<string, unknown>;
    return typeof key === 'string' ? [{ key, value: optionalString(paramValue) ?? '' }] : [];
  });
}
