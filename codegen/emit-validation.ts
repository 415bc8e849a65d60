// Emits the runtime validator's data (generated/validation/): the schema's
// definitions, each method's params and its response variants, as JSON Schema
// that ajv compiles (src/validation/validators.ts, lazily, per method). The schemas are
// adapted to the JS values the runtime sees, as src/pipeline/encode-params.ts reads
// them: a `json` param takes the structured value or a pre-encoded string, a
// `value_object` item the object or its "owner_id_id" string, a field list any
// name. Keywords that are documentation or that ajv cannot use are stripped,
// `allOf` objects are flattened and closed (additionalProperties: false) so
// that a field the schema lacks is reported, and a discriminated oneOf is
// checked as the branch its tag names. Each module is data, one entry per line,
// each entry JSON text in a string: the runtime parses an entry when it needs it, and
// neither tsc nor the JS parser has ~0.6 MB of object literals to work through
// (as literals they added ~0.5 s to every type-check of the project).
import { flattenObject, undescribedResponse } from './emit-definitions.js';
import { dataModuleMarker } from './format.js';
import type { MethodModel, Model } from './model.js';
import { refName } from './normalize.js';
import type { SchemaNode } from './schema-types.js';

/** The `$id` the runtime registers the definitions under; every `$ref` names it. */
export const definitionsId = 'vk-api';

/** Documentation, codegen-only hints, and keywords ajv would misread (`default`
 * has the wrong type in many places; `discriminator` is OpenAPI's, with a
 * `mapping` ajv does not take: see `discriminated`). */
const strippedKeywords = new Set([
  'description',
  'enumNames',
  'entity',
  'deprecated_from_version',
  'discriminator',
  'default',
]);

/** The only format with a check of its own (a 32-bit range): `int64` says no
 * more than `integer` for a JS number, `uri` fields are often empty strings,
 * and `json`/`value_object` are adapted into the schema. */
const checkedFormats = new Set(['int32']);

/** A schema node as the validator reads it. */
function validationNode(node: SchemaNode, definitions: Record<string, SchemaNode>): SchemaNode {
  if (node.allOf) {
    const flat = flattenObject(node, definitions);
    if (flat) return closedObject(flat.properties, [...flat.required], definitions);
  }
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (strippedKeywords.has(key)) continue;
    // An enum is exact, and the types are rendered from it alone; a `type` beside
    // it may contradict it (`polls.edit` background_id: "string" of integers).
    if (key === 'type' && node.enum) continue;
    switch (key) {
      case '$ref':
        out.$ref = `${definitionsId}#/definitions/${refName(value as string)}`;
        break;
      case 'format':
        if (checkedFormats.has(value as string)) out.format = value as string;
        break;
      case 'properties':
        out.properties = mapValues(value as Record<string, SchemaNode>, (p) => validationNode(p, definitions));
        break;
      case 'items':
        out.items = validationNode(value as SchemaNode, definitions);
        break;
      case 'additionalProperties':
        out.additionalProperties =
          typeof value === 'object' ? validationNode(value as SchemaNode, definitions) : (value as boolean);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (key === 'oneOf' && node.discriminator?.mapping) {
          Object.assign(out, discriminated(node.discriminator.propertyName, node.discriminator.mapping));
          break;
        }
        // A value must match one of the branches; oneOf's "exactly one" is a claim
        // about the schema, and two overlapping branches are not a bad value.
        out[key === 'allOf' ? 'allOf' : 'anyOf'] = (value as SchemaNode[]).map((b) => validationNode(b, definitions));
        break;
      default:
        out[key] = value;
    }
  }
  if (node.properties && Object.keys(node.properties).length > 0 && node.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * A oneOf with an OpenAPI discriminator, as ajv's `discriminator`: ajv reads the
 * tag and checks the one branch it names, so a bad item's problems are that
 * branch's alone, and a tag no branch has is one problem. Ajv takes no
 * `mapping` (tag value -> $ref, several values to one $ref): it reads each
 * branch's tag values from the branch's own `properties`. So each $ref the
 * mapping names is a branch, its tag limited to the values mapped onto it, as
 * the generated types read it (type-expressions.ts `renderChoice`); the $ref's
 * definition checks the rest, tag included.
 */
function discriminated(propertyName: string, mapping: Record<string, string>): SchemaNode {
  const tags = new Map<string, string[]>();
  for (const [tag, ref] of Object.entries(mapping)) {
    const name = refName(ref);
    tags.set(name, [...(tags.get(name) ?? []), tag]);
  }
  return {
    discriminator: { propertyName },
    oneOf: [...tags].map(([name, values]) => ({
      $ref: `${definitionsId}#/definitions/${name}`,
      properties: { [propertyName]: { enum: values } },
      required: [propertyName],
    })),
  };
}

function closedObject(
  properties: Record<string, SchemaNode>,
  required: string[],
  definitions: Record<string, SchemaNode>,
): SchemaNode {
  return {
    type: 'object',
    properties: mapValues(properties, (p) => validationNode(p, definitions)),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** A list of the fields a reply is to include (`fields`, `app_fields`, ...): an
 * array of enum values (users_fields, base_user_group_fields, ... or inline). */
function isFieldList(name: string, node: SchemaNode, definitions: Record<string, SchemaNode>): boolean {
  const items = node.items?.$ref ? definitions[refName(node.items.$ref)] : node.items;
  return /(^|_)fields$/.test(name) && node.type === 'array' && items?.enum !== undefined;
}

/** A param as a caller passes it (see emit-params.ts `paramType`, which types it the same way). */
function paramNode(name: string, node: SchemaNode, definitions: Record<string, SchemaNode>): SchemaNode {
  // VK ignores a field name it does not know, and the schema lags the fields VK
  // has: any name passes at run time (the types still hold code to the enum).
  if (isFieldList(name, node, definitions)) return validationNode({ ...node, items: { type: 'string' } }, definitions);
  if (node.format === 'json') {
    const { type: _type, format: _format, items, minItems, maxItems, $ref, ...rest } = node;
    const structured: SchemaNode = $ref
      ? { $ref }
      : items
        ? { type: 'array', items, ...defined({ minItems, maxItems }) }
        : { type: ['object', 'array'] };
    return validationNode({ ...rest, anyOf: [{ type: 'string' }, structured] }, definitions);
  }
  const items = node.items;
  if (node.type === 'array' && items?.format === 'value_object' && items.properties) {
    const { format: _format, type: _type, ...object } = items;
    return validationNode(
      { ...node, items: { anyOf: [{ type: 'string' }, { type: 'object', ...object }] } },
      definitions,
    );
  }
  return validationNode(node, definitions);
}

/** The method's params object (normalize.ts), each param as a caller passes it. */
function paramsSchema(method: MethodModel, definitions: Record<string, SchemaNode>): SchemaNode {
  const { type, properties = {}, ...rest } = method.paramsSchema;
  return { type, properties: mapValues(properties, (node, name) => paramNode(name, node, definitions)), ...rest };
}

/** Which response definitions a call's params select: the rules of codegen/variants.ts, as data. */
function responseVariants(method: MethodModel): object {
  const { defaults, selected } = method.variants;
  if (selected.length === 0) return { defaults };
  return {
    defaults,
    selected: selected.map((variant) => ({
      when: variant.when.map(({ kind, param, values }) => ({ kind, param: param.name, ...(values ? { values } : {}) })),
      responses: variant.responses,
    })),
  };
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** `  "key": '<json>',` lines: final as written (prettier skips data modules). */
function entries(record: Iterable<[string, unknown]>): string {
  return [...record].map(([key, value]) => `  ${JSON.stringify(key)}: ${jsonString(value)},\n`).join('');
}

/** A single-quoted string literal holding `value` as JSON. */
function jsonString(value: unknown): string {
  return `'${JSON.stringify(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function dataModule(header: string, body: string): string {
  return `${header}${dataModuleMarker}\n\n${body}`;
}

export function emitValidation(model: Model, header: string): Map<string, string> {
  const { definitions, origins } = model.schema;
  // A response definition wraps its payload as { response: ... }; the runtime sees the payload.
  const shown = Object.entries(definitions).map(([name, node]): [string, SchemaNode] => {
    if (name === undescribedResponse) return [name, {}];
    return [
      name,
      validationNode(origins[name]!.kind === 'responses' ? node.properties!['response']! : node, definitions),
    ];
  });
  const definitionsModule = dataModule(
    header,
    `/** The \`$id\` the definitions are registered under in ajv; every \`$ref\` names it. */
export const definitionsId = ${JSON.stringify(definitionsId)};

/** Every definition of the schema (a response definition as its payload), as JSON text. */
export const definitions: { readonly [name: string]: string } = {
${entries(shown)}};
`,
  );
  const paramsModule = dataModule(
    header,
    `/** Each method's params as one object schema, as JSON text. */
export const paramsSchemas: { readonly [method: string]: string } = {
${entries(model.methods.map((m) => [m.name, paramsSchema(m, definitions)]))}};
`,
  );
  const responsesModule = dataModule(
    header,
    `/** A condition on one param that selects a response variant (codegen/variants.ts). */
export interface VariantCondition {
  readonly kind: 'truthy' | 'nonEmpty' | 'given' | 'oneOf';
  readonly param: string;
  /** For \`oneOf\`: the values that select the variant. */
  readonly values?: readonly string[];
}

/** A method's response definitions: those its params select, most specific first, and the defaults. */
export interface ResponseVariants {
  readonly defaults: readonly string[];
  readonly selected?: readonly { readonly when: readonly VariantCondition[]; readonly responses: readonly string[] }[];
}

/** Each method's response variants (a \`ResponseVariants\`), as JSON text. */
export const responseVariants: { readonly [method: string]: string } = {
${entries(model.methods.map((m) => [m.name, responseVariants(m)]))}};
`,
  );
  return new Map([
    ['validation/definitions', definitionsModule],
    ['validation/params', paramsModule],
    ['validation/responses', responsesModule],
  ]);
}
