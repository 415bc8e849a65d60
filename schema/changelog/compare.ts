// The changelog between two releases of the VK API schema: sections, methods,
// params, responses, definitions and errors that were added, removed or changed,
// each marked breaking where code that compiled may stop compiling.
import { readdirSync } from 'node:fs';
import { loadSchema, type RawDefinition, type RawSchema } from '../../codegen/load.js';
import type { RawMethod, RawParam, SchemaNode } from '../../codegen/schema-types.js';
import { change, sortChanges, type Change } from './change.js';
import { definitionPositions, responseUsers, type Positions } from './positions.js';
import { breaks, shapeText } from './rules.js';
import { ShapeComparer, refTarget, type ShapeChange } from './shapes.js';

export interface Release {
  schema: RawSchema;
  /** The section folders, e.g. `users`, `adsweb`. */
  sections: string[];
}

export function loadRelease(dir: string): Release {
  const sections = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  return { schema: loadSchema(dir), sections };
}

/** Param keywords that constrain values without changing their type. */
const constraintKeys = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern'] as const;

function byName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function added<T>(before: Map<string, T>, after: Map<string, T>): string[] {
  return [...after.keys()].filter((name) => !before.has(name));
}

function show(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}

class ReleaseComparison {
  readonly changes: Change[] = [];
  private readonly shapes: ShapeComparer;
  private readonly positionsBefore: Positions;
  private readonly positionsAfter: Positions;

  constructor(
    private readonly before: Release,
    private readonly after: Release,
  ) {
    const lookup = (schema: RawSchema) => (name: string) => schema.definitions.get(name)?.node;
    this.shapes = new ShapeComparer(lookup(before.schema), lookup(after.schema));
    this.positionsBefore = definitionPositions(before.schema);
    this.positionsAfter = definitionPositions(after.schema);
  }

  run(): Change[] {
    const { schema: old } = this.before;
    const { schema: now } = this.after;
    if (old.version !== now.version)
      this.changes.push(change('version-changed', false, { detail: `${old.version} -> ${now.version}` }));
    this.sections();
    this.methods(byName(old.methods), byName(now.methods));
    this.definitions(old.definitions, now.definitions);
    this.errors(old, now);
    return sortChanges(this.changes);
  }

  private sections(): void {
    const before = new Set(this.before.sections);
    const after = new Set(this.after.sections);
    for (const name of after)
      if (!before.has(name)) this.changes.push(change('section-added', false, { detail: name }));
    for (const name of before)
      if (!after.has(name)) this.changes.push(change('section-removed', true, { detail: name }));
  }

  private methods(before: Map<string, RawMethod>, after: Map<string, RawMethod>): void {
    for (const name of added(before, after)) this.changes.push(change('method-added', false, { method: name }));
    for (const name of added(after, before)) this.changes.push(change('method-removed', true, { method: name }));
    for (const [name, old] of before) {
      const now = after.get(name);
      if (!now) continue;
      this.tokenTypes(name, old.access_token_type ?? [], now.access_token_type ?? []);
      this.params(name, byName(old.parameters ?? []), byName(now.parameters ?? []));
      this.responses(name, old.responses ?? {}, now.responses ?? {});
      this.methodErrors(name, old.errors ?? [], now.errors ?? []);
    }
  }

  private tokenTypes(method: string, before: string[], after: string[]): void {
    const same = before.length === after.length && before.every((type) => after.includes(type));
    if (same) return;
    const lost = before.some((type) => !after.includes(type));
    const list = (types: string[]) => (types.length ? [...types].sort().join(', ') : 'none');
    this.changes.push(change('token-type-changed', lost, { method, detail: `${list(before)} -> ${list(after)}` }));
  }

  private params(method: string, before: Map<string, RawParam>, after: Map<string, RawParam>): void {
    for (const param of added(before, after)) {
      const required = after.get(param)!.required === true;
      this.changes.push(change('param-added', required, { method, param, detail: required ? 'required' : undefined }));
    }
    for (const param of added(after, before)) this.changes.push(change('param-removed', true, { method, param }));
    for (const [param, old] of before) {
      const now = after.get(param);
      if (!now) continue;
      const where = { method, param };
      const [wasRequired, isRequired] = [old.required === true, now.required === true];
      if (wasRequired !== isRequired) {
        this.changes.push(
          change('param-required-changed', isRequired, {
            ...where,
            detail: isRequired ? 'now required' : 'now optional',
          }),
        );
      }
      for (const shape of this.shapes.compare(paramShape(old), paramShape(now))) {
        const breaking = breaks(shape, { input: true, output: false });
        const kind =
          shape.what === 'enum-value-added' || shape.what === 'enum-value-removed' ? shape.what : 'param-type-changed';
        this.changes.push(change(kind, breaking, { ...where, detail: shapeText(shape) }));
      }
      if (JSON.stringify(old.default) !== JSON.stringify(now.default)) {
        this.changes.push(
          change('param-default-changed', false, { ...where, detail: `${show(old.default)} -> ${show(now.default)}` }),
        );
      }
      for (const key of constraintKeys) {
        if (old[key] === now[key]) continue;
        this.changes.push(
          change('param-constraint-changed', false, {
            ...where,
            detail: `${key} ${show(old[key])} -> ${show(now[key])}`,
          }),
        );
      }
    }
  }

  /** Response variants (response, extendedResponse, ...) and the definitions they name. */
  private responses(
    method: string,
    before: Record<string, { $ref?: string }>,
    after: Record<string, { $ref?: string }>,
  ): void {
    const variants = (responses: Record<string, { $ref?: string }>) =>
      new Map(
        Object.entries(responses).flatMap(([variant, node]) =>
          typeof node?.$ref === 'string' ? [[variant, refTarget(node.$ref)] as const] : [],
        ),
      );
    const old = variants(before);
    const now = variants(after);
    for (const [variant, definition] of now) {
      if (!old.has(variant))
        this.changes.push(
          change('response-changed', false, { method, detail: `variant ${variant} added (${definition})` }),
        );
    }
    for (const [variant, definition] of old) {
      const next = now.get(variant);
      if (next === undefined) {
        this.changes.push(
          change('response-changed', true, { method, detail: `variant ${variant} removed (${definition})` }),
        );
        continue;
      }
      if (next === definition) continue;
      const oldNode = this.before.schema.definitions.get(definition)?.node;
      const newNode = this.after.schema.definitions.get(next)?.node;
      if (!oldNode || !newNode) continue;
      const shapes = this.shapes.compare(oldNode, newNode);
      if (shapes.length === 0) continue; // renamed, same shape
      const breaking = shapes.some((shape) => breaks(shape, { input: false, output: true }));
      this.changes.push(
        change('response-changed', breaking, { method, detail: `${variant}: ${definition} -> ${next}` }),
      );
    }
  }

  private methodErrors(method: string, before: { $ref: string }[], after: { $ref: string }[]): void {
    const old = new Set(before.map((e) => refTarget(e.$ref)));
    const now = new Set(after.map((e) => refTarget(e.$ref)));
    for (const name of now)
      if (!old.has(name)) this.changes.push(change('error-added', false, { method, detail: name }));
    for (const name of old)
      if (!now.has(name)) this.changes.push(change('error-removed', false, { method, detail: name }));
  }

  private definitions(before: Map<string, RawDefinition>, after: Map<string, RawDefinition>): void {
    const origin = (d: RawDefinition) => `${d.folder}/${d.kind}.json`;
    for (const name of added(before, after))
      this.changes.push(change('object-added', false, { detail: `${name} (${origin(after.get(name)!)})` }));
    for (const name of added(after, before))
      this.changes.push(change('object-removed', true, { detail: `${name} (${origin(before.get(name)!)})` }));
    const users = responseUsers(this.after.schema);
    for (const [name, old] of before) {
      const now = after.get(name);
      if (!now) continue;
      const where = {
        input: this.positionsBefore.input.has(name) || this.positionsAfter.input.has(name),
        output: this.positionsBefore.output.has(name) || this.positionsAfter.output.has(name),
      };
      const isResponse = now.kind === 'responses';
      const methods = users.get(name) ?? [];
      for (const shape of this.shapes.compare(old.node, now.node)) {
        const shown = isResponse ? unwrapResponse(shape) : shape;
        const detail =
          shown.path === ''
            ? `${name}: ${shapeText(shown)}`
            : `${name}${shown.path.startsWith('[') ? '' : '.'}${shapeText(shown)}`;
        const kind =
          shape.what === 'enum-value-added' || shape.what === 'enum-value-removed'
            ? shape.what
            : isResponse
              ? 'response-changed'
              : 'object-changed';
        const method = isResponse && methods.length === 1 ? methods[0] : undefined;
        this.changes.push(change(kind, breaks(shape, where), { method, detail }));
      }
    }
  }

  private errors(before: RawSchema, after: RawSchema): void {
    const code = (error: { code?: number; subcode?: number }) => error.code ?? error.subcode;
    const lists = [
      ['', before.errors, after.errors],
      ['subcode ', before.subcodes, after.subcodes],
    ] as const;
    for (const [label, old, now] of lists) {
      for (const [name, error] of Object.entries(now)) {
        if (!Object.hasOwn(old, name))
          this.changes.push(change('error-added', false, { detail: `${label}${name} (${code(error)})` }));
      }
      for (const [name, error] of Object.entries(old)) {
        const next = now[name];
        if (!next) this.changes.push(change('error-removed', true, { detail: `${label}${name} (${code(error)})` }));
        else if (code(next) !== code(error)) {
          this.changes.push(
            change('error-changed', true, { detail: `${label}${name}: code ${code(error)} -> ${code(next)}` }),
          );
        }
      }
    }
  }
}

/** A param as a type: its name, description, required flag, default and constraints are not part of it. */
function paramShape(param: RawParam): SchemaNode {
  const { name: _name, description: _description, required: _required, default: _default, ...shape } = param;
  return shape;
}

/** Response definitions wrap their payload as `{ response: ... }`, which the SDK unwraps. */
function unwrapResponse(shape: ShapeChange): ShapeChange {
  const { path } = shape;
  if (path !== 'response' && !path.startsWith('response.') && !path.startsWith('response[')) return shape;
  return { ...shape, path: path.slice('response'.length).replace(/^\./, '') };
}

/** Every change from `before` to `after`, in changelog order. */
export function compareReleases(before: Release, after: Release): Change[] {
  return new ReleaseComparison(before, after).run();
}
