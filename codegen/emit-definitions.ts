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

function declaration(name: string, node: SchemaNode, doc: string, renderer: TypeRenderer, definitions: Record<string, SchemaNode>): string {
  const flat = flattenObject(node, definitions);
  if (flat) return `${doc}export interface ${name} {\n${renderer.members(flat.properties, flat.required)}}\n`;
  return `${doc}export type ${name} = ${renderer.render(node)};\n`;
}

/** A response definition wraps its payload as { response: ... }; the SDK returns the payload. */
function responsePayload(name: string, node: SchemaNode): SchemaNode {
  const payload = node.properties?.response;
  if (!payload) throw new Error(`response ${name} has no "response" property`);
  return payload;
}

export function definitionModule(definition: string, schema: NormalizedSchema): string {
  return `types/${schema.origins[definition]!.folder}`;
}

/** Module path -> source text (unformatted). */
export function emitDefinitions(schema: NormalizedSchema, index: TypeIndex, header: string): Map<string, string> {
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
    body.text.push(declaration(name, shown, doc, renderer, schema.definitions));
  }
  const modules = new Map<string, string>();
  for (const [module, body] of [...bodies].sort(([a], [b]) => (a < b ? -1 : 1))) {
    modules.set(module, `${header}\n${body.imports.render()}\n${body.text.join('\n')}`);
  }
  return modules;
}
