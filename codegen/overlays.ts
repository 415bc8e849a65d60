// Applies the project's corrections of known schema bugs (schema/overlays.json).
// Overlays are data; each one says why it exists, and one that no longer applies
// (its target vanished, or upstream fixed it) is an error so it gets pruned.
import { readFileSync } from 'node:fs';
import type { RawSchema } from './load.js';
import type { RawParam, SchemaNode } from './schema-types.js';

export interface Overlays {
  methods?: Record<string, MethodOverlay>;
  definitions?: Record<string, { why: string; patch: Partial<SchemaNode> }>;
}

interface MethodOverlay {
  why: string;
  /** Params the live API accepts but the schema lacks. */
  addParams?: RawParam[];
  /** Keywords set on existing params (a null value deletes the keyword). */
  patchParams?: Record<string, Partial<SchemaNode>>;
}

export function readOverlays(path: string): Overlays {
  return JSON.parse(readFileSync(path, 'utf8')) as Overlays;
}

function patchNode(node: SchemaNode, patch: Partial<SchemaNode>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete node[key];
    else node[key] = structuredClone(value);
  }
}

/** Applies overlays in place; returns one line per overlay applied. */
export function applyOverlays(schema: RawSchema, overlays: Overlays): string[] {
  const applied: string[] = [];
  for (const [name, overlay] of Object.entries(overlays.methods ?? {})) {
    const method = schema.methods.find((m) => m.name === name);
    if (!method) throw new Error(`overlay for method ${name}: the schema has no such method`);
    const params = (method.parameters ??= []);
    for (const param of overlay.addParams ?? []) {
      if (params.some((p) => p.name === param.name)) {
        throw new Error(`overlay adds ${name}(${param.name}), but the schema has it now: remove the overlay`);
      }
      params.push(structuredClone(param));
    }
    for (const [paramName, patch] of Object.entries(overlay.patchParams ?? {})) {
      const param = params.find((p) => p.name === paramName);
      if (!param) throw new Error(`overlay patches ${name}(${paramName}), but the schema has no such param`);
      patchNode(param, patch);
    }
    applied.push(`${name}: ${overlay.why}`);
  }
  for (const [name, overlay] of Object.entries(overlays.definitions ?? {})) {
    const definition = schema.definitions.get(name);
    if (!definition) throw new Error(`overlay for definition ${name}: the schema has no such definition`);
    patchNode(definition.node, overlay.patch);
    applied.push(`${name}: ${overlay.why}`);
  }
  return applied;
}
