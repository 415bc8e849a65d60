// Compares two schema nodes the way their TypeScript types and validators see them:
// descriptions, enum order, enumNames, examples and number formats (int32, int64,
// uri) are not changes. A `$ref` is compared by the definition it names; the
// definition itself is compared once, on its own, so a change is reported where it
// was made and not again at every place that refers to it.
import type { SchemaNode } from '../../codegen/schema-types.js';

/** How the new set of accepted values relates to the old one. */
export type Relation = 'wider' | 'narrower' | 'different';

export type ShapeChange =
  | { what: 'property-added'; path: string; required: boolean }
  | { what: 'property-removed'; path: string }
  | { what: 'required-changed'; path: string; required: boolean }
  | { what: 'type-changed'; path: string; from: string; to: string; relation: Relation }
  | { what: 'enum-value-added' | 'enum-value-removed'; path: string; value: string | number };

/** Definition name -> node, for one release. */
export type DefinitionLookup = (name: string) => SchemaNode | undefined;

/** Formats that change what a param accepts or how it is sent (see codegen/emit-params.ts). */
const encodingFormats = new Set(['json', 'value_object']);

/** The definition a `$ref` names: the last segment of `../users/objects.json#/definitions/users_user`. */
export function refTarget(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function join(path: string, next: string): string {
  return path === '' ? next : next === '[]' ? `${path}[]` : `${path}.${next}`;
}

/** The primitive types a node admits; 'any' when it says nothing. */
function typeSet(node: SchemaNode): Set<string> {
  if (Array.isArray(node.type)) return new Set(node.type);
  if (typeof node.type === 'string') return new Set([node.type]);
  if (node.enum)
    return new Set(
      node.enum.map((v) => (typeof v === 'string' ? 'string' : Number.isInteger(v) ? 'integer' : 'number')),
    );
  if (node.properties || node.allOf || typeof node.additionalProperties === 'object') return new Set(['object']);
  if (node.items) return new Set(['array']);
  if (node.oneOf || node.anyOf) return new Set(['choice']);
  return new Set(['any']);
}

function covers(types: Set<string>, type: string): boolean {
  return types.has(type) || types.has('any') || (type === 'integer' && types.has('number'));
}

/** undefined when both sets admit the same values. */
function relate(before: Set<string>, after: Set<string>): Relation | undefined {
  const widened = [...before].every((type) => covers(after, type));
  const narrowed = [...after].every((type) => covers(before, type));
  if (widened && narrowed) return undefined;
  return widened ? 'wider' : narrowed ? 'narrower' : 'different';
}

/** The node as its type sees it: only the keywords that shape values, enums as sets. */
export function canonical(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonical);
  if (node === null || typeof node !== 'object') return node;
  const source = node as SchemaNode;
  if (typeof source.$ref === 'string') return { $ref: refTarget(source.$ref) };
  const out: Record<string, unknown> = {};
  if (source.type !== undefined) out.type = Array.isArray(source.type) ? [...source.type].sort() : source.type;
  if (source.enum) out.enum = source.enum.map((v) => JSON.stringify(v)).sort();
  if (source.format && encodingFormats.has(source.format)) out.format = source.format;
  if (source.required === true || Array.isArray(source.required)) out.required = source.required;
  if (typeof source.additionalProperties === 'object')
    out.additionalProperties = canonical(source.additionalProperties);
  if (source.properties && !Array.isArray(source.properties)) {
    out.properties = Object.fromEntries(
      Object.keys(source.properties)
        .sort()
        .map((name) => [name, canonical(source.properties![name])]),
    );
  }
  for (const key of ['items', 'allOf', 'oneOf', 'anyOf'] as const) {
    if (source[key] !== undefined) out[key] = canonical(source[key]);
  }
  return out;
}

function sameShape(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** A short type text for changelogs: `integer`, `users_fields`, `"a" | "b"`, `string[]`. */
export function describe(node: SchemaNode | undefined): string {
  if (!node) return 'nothing';
  if (typeof node.$ref === 'string') return refTarget(node.$ref);
  let text: string;
  if (node.enum) {
    const values = node.enum.map((v) => JSON.stringify(v));
    text = values.length > 6 ? `${values.slice(0, 5).join(' | ')} | ... (${values.length} values)` : values.join(' | ');
  } else if (node.oneOf || node.anyOf) {
    text = `one of ${(node.oneOf ?? node.anyOf)!.map(describe).join(', ')}`;
  } else if (node.allOf) {
    text = node.allOf.map(describe).join(' & ');
  } else if (node.items && (node.type === 'array' || node.type === undefined)) {
    text = `${describe(node.items)}[]`;
  } else {
    text = [...typeSet(node)].join(' | ');
  }
  return node.format && encodingFormats.has(node.format) ? `${text} (format ${node.format})` : text;
}

interface FlatProperty {
  node: SchemaNode;
  required: boolean;
  /** 'own' or the definition an allOf member brought it from. */
  source: string;
}

/** A node's properties with its allOf members merged in (later members override earlier ones). */
function flatten(
  node: SchemaNode,
  lookup: DefinitionLookup,
  source = 'own',
  seen = new Set<string>(),
): Map<string, FlatProperty> {
  const flat = new Map<string, FlatProperty>();
  for (const member of node.allOf ?? []) {
    if (typeof member.$ref === 'string') {
      const name = refTarget(member.$ref);
      const target = lookup(name);
      if (!target || seen.has(name)) continue;
      const inherited = flatten(target, lookup, source === 'own' ? name : source, new Set([...seen, name]));
      for (const [key, value] of inherited) flat.set(key, value);
    } else {
      for (const [key, value] of flatten(member, lookup, source, seen)) flat.set(key, value);
    }
  }
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  // Real releases sometimes write an empty `properties` as [], which holds nothing.
  const properties = node.properties && !Array.isArray(node.properties) ? node.properties : {};
  for (const [key, property] of Object.entries(properties)) {
    flat.set(key, { node: property, required: property.required === true || required.has(key), source });
  }
  return flat;
}

/** Compares one release's node (`before`) with the next one's (`after`). */
export class ShapeComparer {
  constructor(
    private readonly before: DefinitionLookup,
    private readonly after: DefinitionLookup,
  ) {}

  compare(a: SchemaNode, b: SchemaNode, path = ''): ShapeChange[] {
    const typeChange = (relation: Relation): ShapeChange => ({
      what: 'type-changed',
      path,
      from: describe(a),
      to: describe(b),
      relation,
    });
    if (typeof a.$ref === 'string' || typeof b.$ref === 'string') {
      if (a.$ref && b.$ref && refTarget(a.$ref) === refTarget(b.$ref)) return [];
      // Renamed to a definition of the same shape: the type is the same.
      if (a.$ref && b.$ref && sameShape(this.before(refTarget(a.$ref)), this.after(refTarget(b.$ref)))) return [];
      return [typeChange('different')];
    }
    const changes: ShapeChange[] = [];
    const relation =
      relate(typeSet(a), typeSet(b)) ?? this.enumPresence(a, b) ?? this.encoding(a, b) ?? this.choice(a, b);
    if (relation) changes.push(typeChange(relation));
    if (a.enum && b.enum) changes.push(...enumChanges(a.enum, b.enum, path));
    if (a.items && b.items) changes.push(...this.compare(a.items, b.items, join(path, '[]')));
    if (typeof a.additionalProperties === 'object' && typeof b.additionalProperties === 'object') {
      changes.push(...this.compare(a.additionalProperties, b.additionalProperties, join(path, '{}')));
    }
    changes.push(...this.properties(a, b, path));
    return changes;
  }

  private enumPresence(a: SchemaNode, b: SchemaNode): Relation | undefined {
    if (Boolean(a.enum) === Boolean(b.enum)) return undefined;
    return a.enum ? 'wider' : 'narrower';
  }

  private encoding(a: SchemaNode, b: SchemaNode): Relation | undefined {
    const before = encodingFormats.has(a.format ?? '') ? a.format : undefined;
    const after = encodingFormats.has(b.format ?? '') ? b.format : undefined;
    if (before === after) return undefined;
    // A json param takes the structured value or a pre-encoded string: more than a plain one.
    return !before ? 'wider' : !after ? 'narrower' : 'different';
  }

  private choice(a: SchemaNode, b: SchemaNode): Relation | undefined {
    const branches = (node: SchemaNode) =>
      new Set((node.oneOf ?? node.anyOf ?? []).map((branch) => JSON.stringify(canonical(branch))));
    const before = branches(a);
    const after = branches(b);
    const added = [...after].some((key) => !before.has(key));
    const removed = [...before].some((key) => !after.has(key));
    if (!added && !removed) return undefined;
    return added && removed ? 'different' : added ? 'wider' : 'narrower';
  }

  private properties(a: SchemaNode, b: SchemaNode, path: string): ShapeChange[] {
    const before = flatten(a, this.before);
    const after = flatten(b, this.after);
    const changes: ShapeChange[] = [];
    for (const [name, old] of before) {
      const now = after.get(name);
      const at = join(path, name);
      if (!now) {
        changes.push({ what: 'property-removed', path: at });
        continue;
      }
      // Inherited from the same definition on both sides: that definition reports its own changes.
      if (old.source !== 'own' && old.source === now.source) continue;
      if (old.required !== now.required) changes.push({ what: 'required-changed', path: at, required: now.required });
      changes.push(...this.compare(old.node, now.node, at));
    }
    for (const [name, now] of after) {
      if (!before.has(name)) changes.push({ what: 'property-added', path: join(path, name), required: now.required });
    }
    return changes;
  }
}

function enumChanges(before: (string | number)[], after: (string | number)[], path: string): ShapeChange[] {
  const changes: ShapeChange[] = [];
  for (const value of after) if (!before.includes(value)) changes.push({ what: 'enum-value-added', path, value });
  for (const value of before) if (!after.includes(value)) changes.push({ what: 'enum-value-removed', path, value });
  return changes;
}
