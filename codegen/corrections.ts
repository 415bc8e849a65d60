// The project's corrections of VK's schema where real VK disagrees with it
// (schema/corrections/*.json), applied to the raw schema before anything is derived
// from it, so the types and the validators change alike. Each correction is data
// with a one-line reason and its evidence: a reply VK sent (a file of
// ../shared/real-responses/, or another project's recorded reply by URL) or a
// dev.vk.com page. A correction that no longer applies (its target vanished, or
// upstream fixed it) stops the generator, so that it gets removed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { RawSchema } from './load.js';
import type { RawParam, SchemaNode } from './schema-types.js';

/** Keywords to set on a schema node; a null value deletes the keyword. */
export type SchemaPatch = { [K in keyof SchemaNode]?: SchemaNode[K] | null };

interface Grounds {
  /** Why the schema is wrong here, in one line. */
  why: string;
  /** Where it shows: `real-responses/<file>.json`, an `https://` URL of a recorded
   * reply or of a dev.vk.com page. */
  evidence: string[];
}

export interface DefinitionCorrection extends Grounds {
  /** Where in the definition the operations apply: property names, dot-separated
   * (e.g. `response` for the payload of a response definition). Default: the definition. */
  path?: string;
  /** Properties VK sends that the definition lacks. */
  addProperties?: Record<string, SchemaNode>;
  /** Properties the schema requires that VK leaves out. */
  optional?: string[];
  /** Properties the schema leaves optional that VK always sends. */
  required?: string[];
  /** Enum values VK sends or accepts that the schema omits. */
  addEnumValues?: (string | number)[];
  /** Keywords set on the definition (a null value deletes the keyword). */
  patch?: SchemaPatch;
}

export interface MethodCorrection extends Grounds {
  /** Params the live API accepts but the schema lacks. */
  addParams?: RawParam[];
  /** Keywords set on existing params (a null value deletes the keyword). */
  patchParams?: Record<string, SchemaPatch>;
}

/** A definition the schema lacks, for objects VK sends that it does not describe. */
export interface NewDefinition extends Grounds {
  /** The section folder it joins (its generated types module). */
  folder: string;
  schema: SchemaNode;
}

export interface Corrections {
  methods?: Record<string, MethodCorrection>;
  /** One correction per definition, or a list of them where each rests on its own
   * evidence (e.g. a property VK leaves out and another one it sends). */
  definitions?: Record<string, DefinitionCorrection | DefinitionCorrection[]>;
  newDefinitions?: Record<string, NewDefinition>;
}

/** One applied correction, as generated/README.md lists it. */
export interface AppliedCorrection {
  target: string;
  why: string;
  evidence: readonly string[];
}

const operations = {
  methods: new Set(['addParams', 'patchParams']),
  definitions: new Set(['path', 'addProperties', 'optional', 'required', 'addEnumValues', 'patch']),
  newDefinitions: new Set(['folder', 'schema']),
};
const kinds = ['methods', 'definitions', 'newDefinitions'] as const;

/** Every file of `dir` (`*.json`), merged; the same target in two files is an error. */
export function readCorrections(dir: string): Corrections {
  const merged: Required<Corrections> = { methods: {}, definitions: {}, newDefinitions: {} };
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    const path = join(dir, file);
    const corrections = JSON.parse(readFileSync(path, 'utf8')) as Corrections;
    for (const kind of kinds) {
      for (const [target, entry] of Object.entries(corrections[kind] ?? {})) {
        const list: unknown[] = kind === 'definitions' && Array.isArray(entry) ? entry : [entry];
        if (list.length === 0) throw new Error(`${file}: ${target}: an empty list of corrections changes nothing`);
        for (const correction of list) checkCorrection(`${file}: ${target}`, correction as object, operations[kind]);
        if (Object.hasOwn(merged[kind], target)) throw new Error(`${file}: ${target} is corrected in another file too`);
        (merged[kind] as Record<string, unknown>)[target] = entry;
      }
    }
  }
  return merged;
}

function checkCorrection(where: string, correction: object, allowed: ReadonlySet<string>): void {
  const { why, evidence, ...rest } = correction as Partial<Grounds>;
  if (typeof why !== 'string' || why.trim() === '') throw new Error(`${where}: a correction needs its "why"`);
  const evidenceOk = (item: unknown) =>
    typeof item === 'string' && (/^real-responses\/[\w.-]+\.json$/.test(item) || /^https:\/\/\S+$/.test(item));
  if (!Array.isArray(evidence) || evidence.length === 0 || !evidence.every(evidenceOk)) {
    throw new Error(`${where}: "evidence" must list real-responses/<file>.json or https:// URLs`);
  }
  const unknown = Object.keys(rest).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown operation ${unknown.join(', ')}`);
  if (Object.keys(rest).filter((key) => key !== 'path').length === 0) {
    throw new Error(`${where}: the correction changes nothing`);
  }
}

/** Applies the corrections in place; returns what was applied, in order. */
export function applyCorrections(schema: RawSchema, corrections: Corrections): AppliedCorrection[] {
  const applied: AppliedCorrection[] = [];
  // New definitions first: corrections below may refer to them.
  for (const [name, { folder, schema: node, why, evidence }] of Object.entries(corrections.newDefinitions ?? {})) {
    if (schema.definitions.has(name)) throw caughtUp(name, 'the schema defines it now');
    schema.definitions.set(name, { name, folder, kind: 'objects', node: structuredClone(node) });
    applied.push({ target: name, why, evidence });
  }
  for (const [name, correction] of Object.entries(corrections.methods ?? {})) {
    const method = schema.methods.find((m) => m.name === name);
    if (!method) throw stale(name, 'the schema has no such method');
    const params = (method.parameters ??= []);
    for (const param of correction.addParams ?? []) {
      if (params.some((p) => p.name === param.name)) throw caughtUp(`${name}(${param.name})`, 'the schema has this param now');
      params.push(structuredClone(param));
    }
    for (const [paramName, patch] of Object.entries(correction.patchParams ?? {})) {
      const param = params.find((p) => p.name === paramName);
      if (!param) throw stale(`${name}(${paramName})`, 'the schema has no such param');
      patchNode(`${name}(${paramName})`, param, patch);
    }
    applied.push({ target: name, why: correction.why, evidence: correction.evidence });
  }
  for (const [name, entry] of Object.entries(corrections.definitions ?? {})) {
    const definition = schema.definitions.get(name);
    if (!definition) throw stale(name, 'the schema has no such definition');
    for (const correction of [entry].flat()) {
      correctDefinition(name, nodeAt(name, definition.node, correction.path), correction);
      applied.push({ target: name, why: correction.why, evidence: correction.evidence });
    }
  }
  return applied;
}

function correctDefinition(name: string, node: SchemaNode, correction: DefinitionCorrection): void {
  if (correction.addProperties) {
    const properties = ownProperties(name, node);
    for (const [property, schema] of Object.entries(correction.addProperties)) {
      if (Object.hasOwn(properties, property)) throw caughtUp(`${name}.${property}`, 'the schema has this property now');
      properties[property] = structuredClone(schema);
    }
  }
  for (const property of correction.optional ?? []) {
    const target = ownProperties(name, node)[property];
    if (!target) throw stale(`${name}.${property}`, 'the schema has no such property');
    if (target.required !== true) throw caughtUp(`${name}.${property}`, 'the schema no longer requires it');
    delete target.required;
  }
  for (const property of correction.required ?? []) {
    const target = ownProperties(name, node)[property];
    if (!target) throw stale(`${name}.${property}`, 'the schema has no such property');
    if (target.required === true) throw caughtUp(`${name}.${property}`, 'the schema requires it now');
    target.required = true;
  }
  for (const value of correction.addEnumValues ?? []) {
    if (!node.enum) throw stale(name, 'the definition is not an enum');
    if (node.enum.includes(value)) throw caughtUp(`${name} ${JSON.stringify(value)}`, 'the schema has this value now');
    if (node.enumNames) throw new Error(`correction ${name}: adding to an enum with enumNames needs a name too`);
    node.enum.push(value);
  }
  if (correction.patch) patchNode(name, node, correction.patch);
}

function nodeAt(name: string, node: SchemaNode, path: string | undefined): SchemaNode {
  let at = node;
  for (const property of path?.split('.') ?? []) {
    const next = at.properties?.[property];
    if (!next) throw stale(`${name} at ${path}`, `the definition has no property ${property} there`);
    at = next;
  }
  return at;
}

/** The properties a definition declares itself: its own, or those of the last
 * `allOf` member that has any (later members override earlier ones). */
function ownProperties(name: string, node: SchemaNode): Record<string, SchemaNode> {
  if (node.properties) return node.properties;
  const member = node.allOf?.findLast((part) => part.properties !== undefined);
  if (member?.properties) return member.properties;
  throw stale(name, 'the definition declares no properties of its own');
}

/** Sets (or, for null, deletes) keywords; a patch the node already matches is stale. */
function patchNode(target: string, node: SchemaNode, patch: SchemaPatch): void {
  const changes = Object.entries(patch).filter(([key, value]) =>
    value === null ? Object.hasOwn(node, key) : !isDeepStrictEqual(node[key], value),
  );
  if (changes.length === 0) throw caughtUp(target, 'the schema has the patched keywords now');
  for (const [key, value] of changes) {
    if (value === null) delete node[key];
    else node[key] = structuredClone(value);
  }
}

/** A correction that no longer fits the schema it is applied to (schema:update lists them all). */
export class StaleCorrection extends Error {
  constructor(
    /** What it corrects, e.g. `wall.get(owner_id)` or `users_user_full.city`. */
    readonly target: string,
    readonly reason: string,
    /** True when the schema now has what the correction adds (it can go); false when
     * its target vanished or changed shape (it needs a look). */
    readonly unnecessary: boolean,
  ) {
    super(`correction of ${target} no longer applies: ${reason}; remove or update it in schema/corrections/`);
  }
}

/** Its target vanished or changed shape. */
function stale(target: string, reason: string): StaleCorrection {
  return new StaleCorrection(target, reason, false);
}

/** The schema caught up: it has what the correction adds. */
function caughtUp(target: string, reason: string): StaleCorrection {
  return new StaleCorrection(target, reason, true);
}
