// Encoding of a method's params into VK's form body. Follows the schema, never
// String(): VK reads booleans as 1/0, lists as comma-joined values, and some params
// as JSON or as `owner_id_id_key` value objects (the generated `methodInfo` says which).
// This is the last gate before sending, and methods the schema lacks pass no other:
// whatever VK would read other than as meant is refused here, not repaired.

import type { ParamEncoding } from '../../generated/methods.js';
import { ParamEncodingError } from '../core/errors.js';

export type ParamEncodings = { readonly [param: string]: ParamEncoding };

/** JSON nested deeper is refused, so that a hostile value gets a clear error, not a stack overflow. */
const maxJsonDepth = 64;

/**
 * Encodes `params` as form fields. `undefined` and `null` values are dropped (an
 * unset optional param). Throws a `ParamEncodingError` naming the param for any value
 * that cannot be sent as meant (functions, symbols, NaN, Infinity, numbers beyond
 * 2^53, class instances, lone surrogates, a `__proto__` key, a comma inside a list
 * item, a getter or `toJSON` that throws), so a bad call fails before anything is sent.
 */
export function encodeParams(params: object | undefined, encodings: ParamEncodings = {}): URLSearchParams {
  const form = new URLSearchParams();
  if (params === undefined || params === null) return form;
  const entries = guarded('params', () => {
    if (!isPlainObject(params)) throw new ParamEncodingError('params', `${describe(params)} is not a plain object`);
    return entriesOf(params, (key) => key);
  });
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    const encoding = Object.hasOwn(encodings, name) ? encodings[name] : undefined;
    form.append(
      name,
      guarded(name, () => encodeParam(name, value, encoding)),
    );
  }
  return form;
}

function encodeParam(name: string, value: unknown, encoding: ParamEncoding | undefined): string {
  if (encoding === 'json') return typeof value === 'string' ? checkText(value, name) : toJson(value, name, new Set());
  if (encoding !== undefined) return encodeValueObjects(value, encoding.valueObject, name);
  if (Array.isArray(value)) {
    // A list of objects has no comma-joined form; JSON is the only faithful one.
    if (value.some((item) => typeof item === 'object' && item !== null)) return toJson(value, name, new Set());
    return listItems(value, name, (item, path) => checkListItem(encodeScalar(item, path), path)).join(',');
  }
  if (isPlainObject(value)) return toJson(value, name, new Set());
  return encodeScalar(value, name);
}

function encodeScalar(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return checkText(value, path);
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    case 'number':
      return String(checkNumber(value, path));
    default:
      throw new ParamEncodingError(
        path,
        `${describe(value)} cannot be sent (expected a string, number, boolean, array or plain object)`,
      );
  }
}

/** Value objects: each item is a string sent as is, or an object whose `fields` are
 * joined with `_` in order; trailing unset fields (an optional `access_key`) are left out.
 * A single string is the whole value, already joined. */
function encodeValueObjects(value: unknown, fields: readonly string[], name: string): string {
  if (typeof value === 'string') return checkText(value, name);
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return listItems(items, name, (item, path) => encodeValueObject(item, fields, path)).join(',');
}

function encodeValueObject(item: unknown, fields: readonly string[], path: string): string {
  if (typeof item === 'string') return checkListItem(checkText(item, path), path);
  if (!isPlainObject(item)) {
    throw new ParamEncodingError(path, `${describe(item)} is neither a string nor an object with ${fields.join(', ')}`);
  }
  const parts: string[] = [];
  let firstMissing: string | undefined;
  for (const field of fields) {
    const fieldValue = Object.hasOwn(item, field) ? item[field] : undefined;
    if (fieldValue === undefined || fieldValue === null) {
      firstMissing ??= field;
    } else if (firstMissing !== undefined) {
      throw new ParamEncodingError(`${path}.${firstMissing}`, `is missing, but the later field "${field}" is set`);
    } else {
      const part = encodeScalar(fieldValue, `${path}.${field}`);
      // VK splits the value at `_` and `,`: either inside a field would shift the fields.
      if (/[_,]/.test(part))
        throw new ParamEncodingError(`${path}.${field}`, `${JSON.stringify(part)} contains "_" or ","`);
      parts.push(part);
    }
  }
  if (parts.length === 0) throw new ParamEncodingError(path, `has none of the fields ${fields.join(', ')}`);
  return parts.join('_');
}

/** Every item of a list, holes included (`map` would skip them and send `1,,3`). */
function listItems(list: readonly unknown[], name: string, encode: (item: unknown, path: string) => string): string[] {
  return Array.from(list, (item, index) => encode(item, `${name}[${index}]`));
}

/** VK has no escape for a comma in a comma-joined list: `"1,2"` would be read as two items. */
function checkListItem(item: string, path: string): string {
  if (item.includes(','))
    throw new ParamEncodingError(path, `${JSON.stringify(item)} contains a comma, which would split it into two items`);
  return item;
}

/** A lone surrogate has no UTF-8 form (the form encoding would turn it into U+FFFD),
 * and no VK param takes a NUL: both are bugs or attacks, not text. */
function checkText(text: string, path: string): string {
  if (/\p{Cs}/u.test(text))
    throw new ParamEncodingError(path, 'contains a lone surrogate (half of a UTF-16 pair), which has no UTF-8 form');
  if (text.includes('\0')) throw new ParamEncodingError(path, 'contains a NUL character');
  return text;
}

/** Beyond 2^53 a number has already lost digits; VK would get another id. */
function checkNumber(value: number, path: string): number {
  if (!Number.isFinite(value)) throw new ParamEncodingError(path, `${value} is not a finite number`);
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new ParamEncodingError(path, `${value} is beyond 2^53, where numbers lose digits: pass a bigint or a string`);
  }
  return value;
}

/** A plain object's own entries, refusing keys that cannot be sent. `__proto__` is
 * no VK name; whoever reads it back with JS could have a prototype replaced. */
function entriesOf(value: Record<string, unknown>, pathOf: (key: string) => string): [string, unknown][] {
  const entries = Object.entries(value);
  for (const [key] of entries) {
    if (key === '__proto__')
      throw new ParamEncodingError(
        pathOf(key),
        'cannot be sent as a name: a JS reader would take it for the prototype',
      );
    checkText(key, pathOf(key));
  }
  return entries;
}

/** Runs `encode`, turning what the caller's own code throws (a getter, a Proxy trap,
 * a `toJSON`) into a `ParamEncodingError` at `path`; the innermost `path` wins. */
function guarded<T>(path: string, encode: () => T): T {
  try {
    return encode();
  } catch (error) {
    if (error instanceof ParamEncodingError) throw error;
    throw new ParamEncodingError(path, `could not be read: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** JSON.stringify, except that it throws on what JSON.stringify would silently drop
 * or turn into null (functions, symbols, NaN, undefined list items) and writes
 * bigints as plain numbers (int64 ids). `ancestors` detects cycles. */
function toJson(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(checkText(value, path));
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return JSON.stringify(checkNumber(value, path));
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) throw new ParamEncodingError(path, 'contains a circular reference');
      if (ancestors.size >= maxJsonDepth)
        throw new ParamEncodingError(path, `is nested deeper than ${maxJsonDepth} levels`);
      ancestors.add(value);
      const json = guarded(path, () => objectToJson(value, path, ancestors));
      ancestors.delete(value);
      return json;
    }
    default:
      throw new ParamEncodingError(path, `${describe(value)} cannot be encoded as JSON`);
  }
}

function objectToJson(value: object, path: string, ancestors: Set<object>): string {
  if (Array.isArray(value)) {
    const items = listItems(value, path, (item, itemPath) => {
      if (item === undefined) throw new ParamEncodingError(itemPath, 'undefined cannot be encoded as JSON');
      return toJson(item, itemPath, ancestors);
    });
    return `[${items.join(',')}]`;
  }
  // Dates and other objects that define their own JSON form.
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJson(toJSON.call(value), path, ancestors);
  if (!isPlainObject(value)) throw new ParamEncodingError(path, `${describe(value)} cannot be encoded as JSON`);

  const members: string[] = [];
  for (const [key, member] of entriesOf(value, (k) => `${path}.${k}`)) {
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${toJson(member, `${path}.${key}`, ancestors)}`);
  }
  return `{${members.join(',')}}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind}`;
}
