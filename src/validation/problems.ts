// Turns ajv's errors into problems a person can act on: the path as code
// writes it (`user_ids[3]`, `keyboard.buttons[0][1].action`), what is wrong in
// words, what was given (censored under secret names), and the likely name
// when a param or an enum value is misspelt.

import type { ErrorObject } from 'ajv';
import { censorValue, isSecretKey } from '../core/censor.js';
import type { ValidationProblem } from '../core/errors.js';

export interface ProblemContext {
  /** The name paths start from when they have no segment: `params` or `response`. */
  readonly root: string;
  /** `response` paths are written from the root (`response[0].city`); params paths from the param name. */
  readonly prefixRoot: boolean;
  /** What an unknown key of the top-level object is not, e.g. `a param of users.get`. */
  readonly topLevelMember: string;
  /** Suggest the name meant by a misspelt key or enum value (a caller's typo; VK does not make them). */
  readonly suggest: boolean;
}

/** Enum values a message lists before "..., (N values)". */
const shownEnumValues = 12;
const shownStringLength = 40;

/** Every problem ajv found, one per path and message, with anyOf branches resolved. */
export function describeProblems(errors: readonly ErrorObject[], context: ProblemContext): ValidationProblem[] {
  const problems = new Map<string, ValidationProblem>();
  for (const error of resolveBranches(errors)) {
    const problem = describe(error, context);
    problems.set(`${problem.path}\n${problem.message}`, problem);
  }
  return [...problems.values()];
}

/** Problems that differ only in array indices and in the value given, as one
 * problem with a count: a field that drifted in a list of 1,000 items is one
 * report, not 1,000. */
export function groupRepeats(problems: readonly ValidationProblem[]): ValidationProblem[] {
  const groups = new Map<string, { first: ValidationProblem; more: number }>();
  for (const problem of problems) {
    const stem = problem.message.replace(/ \(got [\s\S]*$/, '');
    const key = `${problem.kind}\n${problem.path.replace(/\[\d+\]/g, '[]')}\n${stem}`;
    const group = groups.get(key);
    if (group) group.more++;
    else groups.set(key, { first: problem, more: 0 });
  }
  return [...groups.values()].map(({ first, more }) =>
    more === 0 ? first : { ...first, message: `${first.message}; and ${more} more like it` },
  );
}

/**
 * Ajv reports a failed anyOf after the errors of each branch. When a branch
 * accepted the value's type and failed inside it, its errors are the news and
 * the other branches' "must be <type>" are noise; when every branch refused the
 * type, one "must be A or B" says it all.
 */
function resolveBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      kept.push(error);
      continue;
    }
    const at = error.instancePath;
    const branches: ErrorObject[] = [];
    while (kept.length > 0 && isWithin(kept.at(-1)!.instancePath, at)) branches.unshift(kept.pop()!);
    const inside = branches.filter((e) => !(e.keyword === 'type' && e.instancePath === at));
    if (inside.length > 0) kept.push(...inside);
    else if (branches.length > 0) kept.push(mergeTypes(branches, error));
    else kept.push(error);
  }
  return kept;
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function mergeTypes(typeErrors: readonly ErrorObject[], anyOf: ErrorObject): ErrorObject {
  const types = typeErrors.flatMap((e) => e.params['type'] as string | string[]);
  return { ...anyOf, keyword: 'type', params: { type: [...new Set(types)] } };
}

function describe(error: ErrorObject, context: ProblemContext): ValidationProblem {
  const segments = pathSegments(error.instancePath);
  const value: unknown = error.data;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return problem([...segments, String(params['missingProperty'])], 'is required', 'invalid', context);
  }
  if (error.keyword === 'additionalProperties') {
    const name = String(params['additionalProperty']);
    const what = segments.length === 0 ? `is not ${context.topLevelMember}` : 'is not in the schema';
    const known = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {});
    const hint = context.suggest ? suggestion(name, known) : '';
    const path = [...segments, name];
    const given = describeValue((value as Record<string, unknown>)[name], path);
    return problem(path, `${what}${hint} (got ${given})`, 'unknown', context);
  }
  if (error.keyword === 'discriminator') return describeTag(error, segments, context);
  const got = ` (got ${describeValue(value, segments)})`;
  switch (error.keyword) {
    case 'type':
      return problem(segments, `must be ${alternatives(toArray(params['type']))}${got}`, 'invalid', context);
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]) ?? [];
      const hint = context.suggest && typeof value === 'string' ? suggestion(value, allowed.map(String)) : '';
      return problem(segments, `must be one of ${listValues(allowed)}${got}${hint}`, 'invalid', context);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return problem(segments, `must be ${params['comparison']} ${params['limit']}${got}`, 'invalid', context);
    case 'minItems':
    case 'maxItems': {
      const bound = error.keyword === 'minItems' ? 'at least' : 'at most';
      const count = Array.isArray(value) ? value.length : '?';
      return problem(
        segments,
        `must have ${bound} ${plural(Number(params['limit']), 'item')} (got ${count})`,
        'invalid',
        context,
      );
    }
    case 'minLength':
    case 'maxLength': {
      const bound = error.keyword === 'minLength' ? 'at least' : 'at most';
      const length = typeof value === 'string' ? [...value].length : '?';
      const limit = plural(Number(params['limit']), 'character');
      return problem(segments, `must be ${bound} ${limit} long (got ${length})`, 'invalid', context);
    }
    case 'format':
      return problem(
        segments,
        `must be ${params['format'] === 'int32' ? 'a 32-bit integer' : `a ${params['format']}`}${got}`,
        'invalid',
        context,
      );
    case 'anyOf':
    case 'oneOf':
      return problem(segments, `matches none of the forms the schema allows${got}`, 'invalid', context);
    default:
      return problem(segments, `${error.message ?? `fails ${error.keyword}`}${got}`, 'invalid', context);
  }
}

/** A discriminated oneOf's tag (emit-validation.ts `discriminated`) that names
 * no branch: missing, or a value none has, said of the tag itself. */
function describeTag(error: ErrorObject, segments: readonly string[], context: ProblemContext): ValidationProblem {
  const tag = String(error.params['tag']);
  const path = [...segments, tag];
  const value: unknown = error.params['tagValue'];
  if (value === undefined) return problem(path, 'is required', 'invalid', context);
  const branches = (error.parentSchema?.['oneOf'] ?? []) as { properties: Record<string, { enum: string[] }> }[];
  const allowed = branches.flatMap((branch) => branch.properties[tag]!.enum);
  const hint = context.suggest && typeof value === 'string' ? suggestion(value, allowed) : '';
  const given = describeValue(value, path);
  return problem(path, `must be one of ${listValues(allowed)} (got ${given})${hint}`, 'invalid', context);
}

function problem(
  segments: readonly string[],
  message: string,
  kind: ValidationProblem['kind'],
  context: ProblemContext,
): ValidationProblem {
  return { path: formatPath(segments, context), message, kind };
}

/** "/keyboard/buttons/0/1" -> ["keyboard", "buttons", "0", "1"] (JSON pointer unescaped). */
function pathSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function formatPath(segments: readonly string[], context: ProblemContext): string {
  let path = context.prefixRoot || segments.length === 0 ? context.root : '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (identifier.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/** The given value, short; censored when any name on its path is a secret's. */
export function describeValue(value: unknown, segments: readonly string[]): string {
  const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
  if (primitive && segments.some((name) => isSecretKey(name))) return censorValue(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${plural(value.length, 'item')}`;
  switch (typeof value) {
    case 'string': {
      const chars = [...value];
      return JSON.stringify(
        chars.length > shownStringLength ? `${chars.slice(0, shownStringLength).join('')}...` : value,
      );
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object': {
      const kind = Object.getPrototypeOf(value) === Object.prototype ? 'object' : (value.constructor?.name ?? 'object');
      return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind}`;
    }
    default:
      return `a ${typeof value}`;
  }
}

function toArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** "a", "a or b", "a, b or c" */
function alternatives(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function listValues(values: readonly unknown[]): string {
  const shown = values.slice(0, shownEnumValues).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  const more = values.length - shown.length;
  return more > 0 ? `${shown.join(', ')}, ... (${values.length} values)` : shown.join(', ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "; did you mean "city"?" when one candidate is close to `word` (a typo), else "". */
function suggestion(word: string, candidates: readonly string[]): string {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
