// Encoding of a method's params into VK's form body. Follows the schema, never
// String(): VK reads booleans as 1/0, lists as comma-joined values, and some params
// as JSON or as `owner_id_id_key` value objects (the generated `methodInfo` says which).

import type { ParamEncoding } from '../../generated/methods.js';
import { ParamEncodingError } from '../core/errors.js';

export type ParamEncodings = { readonly [param: string]: ParamEncoding };

/**
 * Encodes `params` as form fields. `undefined` and `null` values are dropped (an
 * unset optional param). Throws a `ParamEncodingError` naming the param for any value
 * that cannot be sent (functions, symbols, NaN, Infinity, class instances), so a
 * bad call fails before anything is sent.
 */
export function encodeParams(params: object | undefined, encodings: ParamEncodings = {}): URLSearchParams {
  const form = new URLSearchParams();
  if (params === undefined || params === null) return form;
  if (!isPlainObject(params)) throw new ParamEncodingError('params', `${describe(params)} is not a plain object`);

  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const encoding = Object.hasOwn(encodings, name) ? encodings[name] : undefined;
    form.append(name, encodeParam(name, value, encoding));
  }
  return form;
}

function encodeParam(name: string, value: unknown, encoding: ParamEncoding | undefined): string {
  if (encoding === 'json') return typeof value === 'string' ? value : toJson(value, name, new Set());
  if (encoding !== undefined) return encodeValueObjects(value, encoding.valueObject, name);
  if (Array.isArray(value)) {
    // A list of objects has no comma-joined form; JSON is the only faithful one.
    if (value.some((item) => typeof item === 'object' && item !== null)) return toJson(value, name, new Set());
    return value.map((item, index) => encodeScalar(item, `${name}[${index}]`)).join(',');
  }
  if (isPlainObject(value)) return toJson(value, name, new Set());
  return encodeScalar(value, name);
}

function encodeScalar(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new ParamEncodingError(path, `${value} is not a finite number`);
      return String(value);
    default:
      throw new ParamEncodingError(path, `${describe(value)} cannot be sent (expected a string, number, boolean, array or plain object)`);
  }
}

/** Value objects: each item is a string sent as is, or an object whose `fields` are
 * joined with `_` in order; trailing unset fields (an optional `access_key`) are left out. */
function encodeValueObjects(value: unknown, fields: readonly string[], name: string): string {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.map((item, index) => encodeValueObject(item, fields, `${name}[${index}]`)).join(',');
}

function encodeValueObject(item: unknown, fields: readonly string[], path: string): string {
  if (typeof item === 'string') return item;
  if (!isPlainObject(item)) {
    throw new ParamEncodingError(path, `${describe(item)} is neither a string nor an object with ${fields.join(', ')}`);
  }
  const parts: string[] = [];
  let firstMissing: string | undefined;
  for (const field of fields) {
    const fieldValue = item[field];
    if (fieldValue === undefined || fieldValue === null) {
      firstMissing ??= field;
    } else if (firstMissing !== undefined) {
      throw new ParamEncodingError(`${path}.${firstMissing}`, `is missing, but the later field "${field}" is set`);
    } else {
      parts.push(encodeScalar(fieldValue, `${path}.${field}`));
    }
  }
  if (parts.length === 0) throw new ParamEncodingError(path, `has none of the fields ${fields.join(', ')}`);
  return parts.join('_');
}

/** JSON.stringify, except that it throws on what JSON.stringify would silently drop
 * or turn into null (functions, symbols, NaN, undefined list items) and writes
 * bigints as plain numbers (int64 ids). `ancestors` detects cycles. */
function toJson(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new ParamEncodingError(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) throw new ParamEncodingError(path, 'contains a circular reference');
      ancestors.add(value);
      const json = objectToJson(value, path, ancestors);
      ancestors.delete(value);
      return json;
    }
    default:
      throw new ParamEncodingError(path, `${describe(value)} cannot be encoded as JSON`);
  }
}

function objectToJson(value: object, path: string, ancestors: Set<object>): string {
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, index) => {
      if (item === undefined) throw new ParamEncodingError(`${path}[${index}]`, 'undefined cannot be encoded as JSON');
      return toJson(item, `${path}[${index}]`, ancestors);
    });
    return `[${items.join(',')}]`;
  }
  // Dates and other objects that define their own JSON form.
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJson(toJSON.call(value), path, ancestors);
  if (!isPlainObject(value)) throw new ParamEncodingError(path, `${describe(value)} cannot be encoded as JSON`);

  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
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
