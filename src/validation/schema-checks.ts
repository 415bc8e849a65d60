// A session's schema checks: the params of a call before anything is sent
// (`validate`, on by default), and optionally VK's response after
// (`validateResponses`), to catch schema drift. The validators behind them, and
// the code that words their findings, are loaded on the first check (with ajv
// and the schemas: validators.ts), so importing the SDK loads none of it.
// Methods the schema lacks (`call('new.method', ...)`) are not checked.

import { methodInfo } from '../../generated/methods.js';
import { encodeParams } from '../pipeline/encode-params.js';
import { ParamEncodingError, ResponseValidationError, ValidationError, type ValidationProblem } from '../core/errors.js';

type CheckModules = [typeof import('./validators.js'), typeof import('./problems.js')];

let checkModules: Promise<CheckModules> | undefined;

function loadCheckModules(): Promise<CheckModules> {
  return (checkModules ??= Promise.all([import('./validators.js'), import('./problems.js')]));
}

/** What to do with a response that does not match the schema. */
export type ResponseCheckMode = 'off' | 'warn' | 'throw';

/** Receives the problems `validateResponses: 'warn'` finds in one response. */
export type ResponseProblemsHandler = (
  method: string,
  problems: readonly ValidationProblem[],
  /** The call's params and VK's response, for a record of the drift (`recordDrift`). */
  call: { readonly params: object | undefined; readonly response: unknown },
) => void;

export interface SchemaCheckOptions {
  /** Check params before sending (default `true`). */
  validate?: boolean | undefined;
  /** Check responses (default `'off'`). */
  validateResponses?: ResponseCheckMode | undefined;
  /** Where `'warn'` reports (default: one `console.warn` line per problem). */
  onResponseProblems?: ResponseProblemsHandler | undefined;
}

const responseCheckModes: readonly ResponseCheckMode[] = ['off', 'warn', 'throw'];

/** Params VK takes with every method, which a session or an error-recovery flow
 * (captcha answers, confirmation) may add to a call's own params. */
const requestWideParams = new Set([
  'access_token',
  'v',
  'lang',
  'test_mode',
  'captcha_sid',
  'captcha_key',
  'captcha_ts',
  'captcha_attempt',
  'success_token',
  'remixstlid',
  'confirm',
]);

export class SchemaChecks {
  readonly #params: boolean;
  readonly #responses: ResponseCheckMode;
  readonly #report: ResponseProblemsHandler;

  constructor(options: SchemaCheckOptions = {}) {
    const mode = options.validateResponses ?? 'off';
    if (!responseCheckModes.includes(mode)) {
      throw new RangeError(`validateResponses must be 'off', 'warn' or 'throw', not ${JSON.stringify(mode)}`);
    }
    this.#params = options.validate ?? true;
    this.#responses = mode;
    this.#report = options.onResponseProblems ?? warnResponseProblems;
  }

  /**
   * Throws a `ValidationError` listing every problem of `params`. Values the
   * schema leaves open (the inside of a free-form JSON param) are checked by a
   * dry run of the encoder, so that any value that cannot be sent is a
   * `ValidationError` too (with the encoder's `ParamEncodingError` as `cause`).
   */
  async checkParams(method: string, params: object | undefined): Promise<void> {
    if (!this.#params || !isSchemaMethod(method)) return;
    const [{ paramsValidator }, { describeProblems, describeValue }] = await loadCheckModules();
    const validate = await paramsValidator(method);
    const unencodable = encodingError(method, params);
    const problems: ValidationProblem[] = [];
    try {
      const { own, requestWide } = splitParams(params, (validate.schema as { properties: object }).properties);
      if (!validate(own)) {
        problems.push(
          ...describeProblems(validate.errors ?? [], {
            root: 'params',
            prefixRoot: false,
            topLevelMember: `a param of ${method}`,
            suggest: true,
          }),
        );
      }
      for (const [name, value] of requestWide) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          const given = describeValue(value, [name]);
          problems.push({ path: name, message: `must be string, number or boolean (got ${given})`, kind: 'invalid' });
        }
      }
    } catch (error) {
      // The caller's getter or Proxy trap threw; the encoder, reading the same, names where.
      if (!unencodable) throw new ValidationError(method, [readProblem(error)], { cause: error });
    }
    if (unencodable && !problems.some((p) => covers(p.path, unencodable.param))) {
      problems.push({ path: unencodable.param, message: unencodable.reason, kind: 'invalid' });
    }
    if (problems.length > 0) {
      throw new ValidationError(method, problems, unencodable ? { cause: unencodable } : undefined);
    }
  }

  /** Checks `response` against the variant `params` select: reports or throws what does not match. */
  async checkResponse(method: string, params: object | undefined, response: unknown): Promise<void> {
    if (this.#responses === 'off' || !isSchemaMethod(method)) return;
    const [{ responseValidator }, { describeProblems, groupRepeats }] = await loadCheckModules();
    const validate = await responseValidator(method, params);
    if (validate(response)) return;
    const found = describeProblems(validate.errors ?? [], {
      root: 'response',
      prefixRoot: true,
      topLevelMember: 'in the schema',
      suggest: false,
    });
    const problems = groupRepeats(found);
    if (this.#responses === 'throw') throw new ResponseValidationError(method, problems);
    this.#report(method, problems, { params, response });
  }
}

function isSchemaMethod(method: string): boolean {
  return Object.hasOwn(methodInfo, method);
}

/** The params as they are sent, in two: the method's own, for its schema, and
 * the request-wide ones it does not declare itself, which take any scalar.
 * Unset values (`undefined`, `null`) are dropped, as the encoder drops them;
 * anything but an object is left for the schema to refuse. The own params are
 * copied without prototype, so that a `__proto__` param is a param the schema
 * lacks, not the copy's prototype. */
function splitParams(params: object | undefined, declared: object): { own: unknown; requestWide: [string, unknown][] } {
  if (params === undefined || params === null) return { own: {}, requestWide: [] };
  if (typeof params !== 'object' || Array.isArray(params)) return { own: params, requestWide: [] };
  const own: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const requestWide: [string, unknown][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (requestWideParams.has(name) && !Object.hasOwn(declared, name)) requestWide.push([name, value]);
    else own[name] = bigintsAsNumbers(value, new Map());
  }
  return { own, requestWide };
}

/** `value` with every bigint a number, for ajv, whose `integer` knows no bigint:
 * params take int64 ids as bigints (sent as their digits), and a rounded copy is
 * near enough for the schema's type and bounds. Lists and plain objects are copied
 * (cycles kept), anything else is left for the schema to describe. */
function bigintsAsNumbers(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object' || value === null) return value;
  const copied = copies.get(value);
  if (copied !== undefined) return copied;
  if (Array.isArray(value)) {
    const list: unknown[] = [];
    copies.set(value, list);
    for (const item of value) list.push(bigintsAsNumbers(item, copies));
    return list;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  copies.set(value, record);
  for (const [key, member] of Object.entries(value)) record[key] = bigintsAsNumbers(member, copies);
  return record;
}

function readProblem(error: unknown): ValidationProblem {
  const reason = error instanceof Error ? error.message : String(error);
  return { path: 'params', message: `could not be read: ${reason}`, kind: 'invalid' };
}

function encodingError(method: string, params: object | undefined): ParamEncodingError | undefined {
  try {
    encodeParams(params, methodInfo[method as keyof typeof methodInfo].encode);
    return undefined;
  } catch (error) {
    if (error instanceof ParamEncodingError) return error;
    throw error;
  }
}

/** Whether a problem at `path` already accounts for one at `inner`. */
function covers(path: string, inner: string): boolean {
  return inner === path || inner.startsWith(`${path}.`) || inner.startsWith(`${path}[`);
}

function warnResponseProblems(method: string, problems: readonly ValidationProblem[]): void {
  for (const problem of problems)
    console.warn(`vk-typed: ${method} response drift: ${problem.path}: ${problem.message}`);
}
