// A method's params as the CLI reads them: the JSON schemas the generator emits for
// the SDK's own params check (generated/validation/), with `$ref`s resolved where a
// value's type is decided (the param, its list items, its `anyOf` members). Values
// are parsed, and help is written, from the very schema the call is checked against.

import { methodInfo, type MethodName } from '../../generated/methods.js';

/** The JSON types a schema node may accept. */
export type JsonType = 'integer' | 'number' | 'boolean' | 'string' | 'array' | 'object' | 'null';

/** The parts of a JSON schema node the CLI reads. */
export interface ParamSchema {
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly items?: ParamSchema;
  readonly anyOf?: readonly ParamSchema[];
  readonly oneOf?: readonly ParamSchema[];
  readonly $ref?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
  readonly maxLength?: number;
}

export interface ParamEntry {
  readonly name: string;
  readonly required: boolean;
  /** `$ref`s resolved at the param, its items and its `anyOf`/`oneOf` members. */
  readonly schema: ParamSchema;
}

export interface MethodParams {
  readonly method: MethodName;
  /** In the schema's order. */
  readonly params: readonly ParamEntry[];
}

/** Whether `name` is a method of the schema. */
export function isSchemaMethod(name: string): name is MethodName {
  return Object.hasOwn(methodInfo, name);
}

// Aliases chain definitions; the items and members of one nest a few levels at most.
const maxDepth = 8;

/** The params of `method`, loaded from the generated schemas (the definitions only when a param refers to one). */
export async function methodParams(method: MethodName): Promise<MethodParams> {
  const { paramsSchemas } = await import('../../generated/validation/params.js');
  const text = paramsSchemas[method];
  if (text === undefined) throw new RangeError(`the generated params schemas lack ${method}`);
  const definitions = text.includes('"$ref"') ? (await import('../../generated/validation/definitions.js')).definitions : {};
  const schema = JSON.parse(text) as { properties: Record<string, ParamSchema>; required?: readonly string[] };
  const required = new Set(schema.required ?? []);
  const params = Object.entries(schema.properties).map(([name, node]) => ({
    name,
    required: required.has(name),
    schema: resolveRefs(node, definitions, 0),
  }));
  return { method, params };
}

function resolveRefs(node: ParamSchema, definitions: Readonly<Record<string, string>>, depth: number): ParamSchema {
  if (depth > maxDepth) return node;
  let resolved = node;
  for (let hops = 0; resolved.$ref !== undefined && hops < maxDepth; hops += 1) {
    const name = resolved.$ref.slice(resolved.$ref.lastIndexOf('/') + 1);
    const definition = definitions[name];
    if (definition === undefined) throw new RangeError(`the generated definitions lack ${name}`);
    resolved = JSON.parse(definition) as ParamSchema;
  }
  const inner = (child: ParamSchema) => resolveRefs(child, definitions, depth + 1);
  return {
    ...resolved,
    ...(resolved.items && { items: inner(resolved.items) }),
    ...(resolved.anyOf && { anyOf: resolved.anyOf.map(inner) }),
    ...(resolved.oneOf && { oneOf: resolved.oneOf.map(inner) }),
  };
}

/** The JSON types `schema` accepts: its `type`s, its enum values' types, its members'. */
export function acceptedTypes(schema: ParamSchema): Set<JsonType> {
  const types = new Set<JsonType>();
  const members = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  for (const member of members) acceptedTypes(member).forEach((type) => types.add(type));
  if (schema.type !== undefined) (Array.isArray(schema.type) ? schema.type : [schema.type]).forEach((t) => types.add(t));
  for (const value of schema.enum ?? []) types.add(jsonTypeOf(value));
  if (types.size === 0 && schema.format?.startsWith('int')) types.add('integer');
  return types;
}

/** The items schema of the list `schema` accepts, when it accepts one. */
export function listItems(schema: ParamSchema): ParamSchema | undefined {
  if (schema.items !== undefined) return schema.items;
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const items = listItems(member);
    if (items !== undefined) return items;
  }
  return undefined;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}
