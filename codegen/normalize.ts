// Turns the raw schema into one self-contained JSON Schema (draft-07 shaped):
// every $ref points at "#/definitions/<name>", boolean `required` flags are
// hoisted into `required` arrays, and each method's params become an object
// schema. The emitters and the runtime validator both read this form.
import type { RawSchema } from './load.js';
import type { RawMethod, SchemaNode } from './schema-types.js';

export interface NormalizedParam {
  name: string;
  required: boolean;
  node: SchemaNode;
}

export interface NormalizedMethod {
  /** "users.get" */
  name: string;
  /** "users"; '' for `execute`, which belongs to no section */
  section: string;
  /** "get" */
  method: string;
  description?: string;
  access: string[];
  params: NormalizedParam[];
  /** Params as one object schema, for validation. */
  paramsSchema: SchemaNode;
  /** Variant key ("response", "extendedResponse", ...) -> response definition name. */
  responses: Record<string, string>;
  /** Names of the errors.json entries the method lists. */
  errors: string[];
}

export interface NormalizedSchema {
  version: string;
  definitions: Record<string, SchemaNode>;
  /** Where each definition was published: folder and file kind. */
  origins: Record<string, { folder: string; kind: 'objects' | 'responses' }>;
  methods: NormalizedMethod[];
  errors: RawSchema['errors'];
  subcodes: RawSchema['subcodes'];
}

const definitionRef = /^(?:\.\.\/[\w-]+\/(?:objects|responses)\.json)?#\/definitions\/([\w-]+)$/;

export function refName(ref: string): string {
  const match = definitionRef.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return match[1]!;
}

/** Keywords whose value is a subschema, or a list or map of subschemas. */
const subschemaKeys = ['items', 'additionalProperties'] as const;
const subschemaListKeys = ['allOf', 'oneOf', 'anyOf'] as const;

function normalizeNode(node: SchemaNode, known: ReadonlySet<string>, where: string): SchemaNode {
  const out: SchemaNode = { ...node };
  if (typeof node.$ref === 'string') {
    const name = refName(node.$ref);
    if (!known.has(name)) throw new Error(`${where}: $ref to unknown definition ${name}`);
    out.$ref = `#/definitions/${name}`;
  }
  if (typeof out.required === 'boolean') delete out.required;
  for (const key of subschemaKeys) {
    const sub = node[key];
    if (sub && typeof sub === 'object') out[key] = normalizeNode(sub, known, `${where}.${key}`);
  }
  for (const key of subschemaListKeys) {
    const list = node[key];
    if (list) out[key] = list.map((sub, i) => normalizeNode(sub, known, `${where}.${key}[${i}]`));
  }
  if (node.discriminator?.mapping) {
    out.discriminator = {
      propertyName: node.discriminator.propertyName,
      mapping: Object.fromEntries(
        Object.entries(node.discriminator.mapping).map(([value, ref]) => [value, `#/definitions/${refName(ref)}`]),
      ),
    };
  }
  if (node.properties) {
    const properties: Record<string, SchemaNode> = {};
    const required: string[] = [];
    for (const [name, property] of Object.entries(node.properties)) {
      if (property.required === true) required.push(name);
      properties[name] = normalizeNode(property, known, `${where}.${name}`);
    }
    out.properties = properties;
    if (required.length > 0) out.required = required;
  }
  return out;
}

function normalizeMethod(raw: RawMethod, known: ReadonlySet<string>): NormalizedMethod {
  const dot = raw.name.indexOf('.');
  const params: NormalizedParam[] = (raw.parameters ?? []).map(({ name, ...node }) => ({
    name,
    required: node.required === true,
    node: normalizeNode(node, known, `${raw.name}(${name})`),
  }));
  const required = params.filter((p) => p.required).map((p) => p.name);
  return {
    name: raw.name,
    section: dot < 0 ? '' : raw.name.slice(0, dot),
    method: raw.name.slice(dot + 1),
    ...(raw.description ? { description: raw.description } : {}),
    access: [...(raw.access_token_type ?? [])].sort(),
    params,
    paramsSchema: {
      type: 'object',
      properties: Object.fromEntries(params.map((p) => [p.name, p.node])),
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    },
    responses: Object.fromEntries(
      Object.entries(raw.responses).map(([key, value]) => {
        const name = refName(value.$ref);
        if (!known.has(name)) throw new Error(`${raw.name}: response ${key} refers to unknown ${name}`);
        return [key, name];
      }),
    ),
    errors: (raw.errors ?? []).map((e) => e.$ref.slice(e.$ref.lastIndexOf('/') + 1)),
  };
}

export function normalizeSchema(raw: RawSchema): NormalizedSchema {
  const known = new Set(raw.definitions.keys());
  const names = [...known].sort();
  const definitions: Record<string, SchemaNode> = {};
  const origins: NormalizedSchema['origins'] = {};
  for (const name of names) {
    const definition = raw.definitions.get(name)!;
    definitions[name] = normalizeNode(definition.node, known, name);
    origins[name] = { folder: definition.folder, kind: definition.kind };
  }
  for (const method of raw.methods) {
    for (const e of method.errors ?? []) {
      const name = e.$ref.slice(e.$ref.lastIndexOf('/') + 1);
      if (!raw.errors[name]) throw new Error(`${method.name}: lists unknown error ${name}`);
    }
  }
  return {
    version: raw.version,
    definitions,
    origins,
    methods: raw.methods.map((m) => normalizeMethod(m, known)),
    errors: raw.errors,
    subcodes: raw.subcodes,
  };
}
