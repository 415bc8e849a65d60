// Emits the schema's object and response definitions: one module per schema
// folder (generated/types/users.ts), objects and responses together, since
// fewer modules make a consumer's type-check faster.
import { jsdoc } from './jsdoc.js';
import { refName, type NormalizedSchema } from './normalize.js';
import { enumDoc, ImportSet, TypeRenderer, type TypeIndex } from './type-expressions.js';
import type { SchemaNode } from './schema-types.js';

interface FlatObject {
  properties: Record<string, SchemaNode>;
  required: Set<string>;
}

/**
 * The properties of an object, with `allOf` flattened: later members override
 * earlier ones property by property, and `required` accumulates (as in JSON
 * Schema, where every member's `required` applies). Undefined when the node is
 * not a plain object (a union, a primitive, a recursive allOf).
 */
export function flattenObject(
  node: SchemaNode,
  definitions: Record<string, SchemaNode>,
  visiting: ReadonlySet<string> = new Set(),
): FlatObject | undefined {
  if (node.$ref) {
    const name = refName(node.$ref);
    if (visiting.has(name)) return undefined;
    return flattenObject(definitions[name]!, definitions, new Set([...visiting, name]));
  }
  if (node.allOf) {
    const flat: FlatObject = { properties: {}, required: new Set() };
    for (const member of node.allOf) {
      const part = flattenObject(member, definitions, visiting);
      if (!part) return undefined;
      Object.assign(flat.properties, part.properties);
      for (const name of part.required) flat.required.add(name);
    }
    return flat;
  }
  if (node.properties && Object.keys(node.properties).length > 0) {
    return { properties: node.properties, required: new Set(Array.isArray(node.required) ? node.required : []) };
  }
  return undefined;
}

interface Inheritance {
  /** The object definitions the interface extends, in allOf order. */
  bases: string[];
  /** What it declares itself: the properties no base has, and those it makes required or documents otherwise. */
  own: FlatObject;
}

/**
 * An `allOf` of object definitions (and inline members) as an interface that extends
 * those definitions and declares only what it adds: every consumer's compiler then
 * reads `users_user`'s fields once, not again in `users_user_full` and in each of the
 * definitions built on it. Undefined (the interface lists every property) where
 * `extends` could not say the same thing: a base that is not an object definition,
 * or a property whose TypeScript type differs between a base and the rest (an
 * override `extends` would have to check).
 */
export function inheritance(node: SchemaNode, schema: NormalizedSchema, index: TypeIndex): Inheritance | undefined {
  const { definitions, origins } = schema;
  const flat = node.allOf && flattenObject(node, definitions);
  if (!flat) return undefined;
  const bases = node.allOf!.flatMap((member) => (member.$ref ? [refName(member.$ref)] : []));
  if (bases.length === 0) return undefined;
  // Imports recorded while comparing are thrown away: only the declaration's count.
  const scratch = new TypeRenderer(index, new ImportSet(''), { readonlyArrays: false });
  const memberText = (property: string, propertyNode: SchemaNode, required: boolean) =>
    scratch.members({ [property]: propertyNode }, new Set(required ? [property] : []));
  const inherited = new Map<string, { type: string; member: string; required: boolean }>();
  for (const base of bases) {
    const baseFlat = origins[base]?.kind === 'objects' ? flattenObject(definitions[base]!, definitions) : undefined;
    if (!baseFlat) return undefined;
    for (const [property, propertyNode] of Object.entries(baseFlat.properties)) {
      const required = baseFlat.required.has(property);
      const type = scratch.render(propertyNode);
      const earlier = inherited.get(property);
      if (earlier && earlier.type !== type) return undefined;
      const member = memberText(property, propertyNode, required);
      inherited.set(property, { type, member, required: (earlier?.required ?? false) || required });
    }
  }
  const own: FlatObject = { properties: {}, required: new Set() };
  for (const [property, propertyNode] of Object.entries(flat.properties)) {
    const base = inherited.get(property);
    const required = flat.required.has(property);
    if (base && base.type !== scratch.render(propertyNode)) return undefined;
    const member = memberText(property, propertyNode, required);
    if (base?.member === member && base.required === required) continue;
    own.properties[property] = propertyNode;
    if (required) own.required.add(property);
  }
  return { bases, own };
}

function declaration(name: string, node: SchemaNode, doc: string, renderer: TypeRenderer, schema: NormalizedSchema, index: TypeIndex): string {
  const inherits = inheritance(node, schema, index);
  if (inherits) {
    const bases = inherits.bases.map((base) => renderer.ref(base)).join(', ');
    return `${doc}export interface ${name} extends ${bases} {\n${renderer.members(inherits.own.properties, inherits.own.required)}}\n`;
  }
  const flat = flattenObject(node, schema.definitions);
  if (flat) return `${doc}export interface ${name} {\n${renderer.members(flat.properties, flat.required)}}\n`;
  return `${doc}export type ${name} = ${renderer.render(node)};\n`;
}

/** The schema's placeholder for a response it does not describe ("Response schema
 * is not defined yet": `execute`, `ads.deleteTargetPixel`, `ads.updateTargetPixel`).
 * It says `object`, but an execute returns any JSON (and the two ads methods are
 * unknown): the payload is `unknown`, and the validator takes anything. */
export const undescribedResponse = 'base_undefined_response';

/** A response definition wraps its payload as { response: ... }; the SDK returns the payload. */
function responsePayload(name: string, node: SchemaNode): SchemaNode {
  if (name === undescribedResponse) return {};
  const payload = node.properties?.response;
  if (!payload) throw new Error(`response ${name} has no "response" property`);
  return payload;
}

export function definitionModule(definition: string, schema: NormalizedSchema): string {
  return `types/${schema.origins[definition]!.folder}`;
}

/** The enums that `fields` params take their values from. VK ignores a field it does
 * not know, and adds fields before the schema lists them, so these stay open: a user
 * adds a value by augmenting the enum's `<Name>Extension` interface. */
function openEnums(schema: NormalizedSchema): Set<string> {
  const open = new Set<string>();
  for (const method of schema.methods) {
    const ref = method.params.find((param) => param.name === 'fields')?.node.items?.$ref;
    if (ref !== undefined && schema.definitions[refName(ref)]?.enum) open.add(refName(ref));
  }
  return open;
}

/** An open enum: its values, or any key of its extension interface. */
function openEnumDeclaration(name: string, node: SchemaNode, doc: string, renderer: TypeRenderer): string {
  const extension = `${name}Extension`;
  return `/** Values of ${name} that VK accepts beyond the schema's, added in your own code:
 * \`declare module 'vk-typed' { interface ${extension} { new_field: true } }\`. */
export interface ${extension} {}
${doc}export type ${name} = ${renderer.render(node)} | keyof ${extension};\n`;
}

/** Module path -> source text (unformatted). */
export function emitDefinitions(schema: NormalizedSchema, index: TypeIndex, header: string): Map<string, string> {
  const open = openEnums(schema);
  const bodies = new Map<string, { imports: ImportSet; text: string[] }>();
  for (const [definition, node] of Object.entries(schema.definitions)) {
    const module = definitionModule(definition, schema);
    let body = bodies.get(module);
    if (!body) bodies.set(module, (body = { imports: new ImportSet(module), text: [] }));
    const renderer = new TypeRenderer(index, body.imports, { readonlyArrays: false });
    const name = index.typeName(definition);
    const isResponse = schema.origins[definition]!.kind === 'responses';
    const shown = isResponse ? responsePayload(definition, node) : node;
    const doc = jsdoc([
      shown.description ?? node.description,
      enumDoc(shown),
      node.deprecated_from_version ? `@deprecated since API version ${node.deprecated_from_version}` : undefined,
    ]);
    body.text.push(
      open.has(definition)
        ? openEnumDeclaration(name, shown, doc, renderer)
        : declaration(name, shown, doc, renderer, schema, index),
    );
  }
  const modules = new Map<string, string>();
  for (const [module, body] of [...bodies].sort(([a], [b]) => (a < b ? -1 : 1))) {
    modules.set(module, `${header}\n${body.imports.render()}\n${body.text.join('\n')}`);
  }
  return modules;
}
