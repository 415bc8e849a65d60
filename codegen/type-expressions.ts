// Renders schema nodes as TypeScript type expressions, recording which
// definitions a file refers to so its imports can be written.
import { posix } from 'node:path';
import { refName } from './normalize.js';
import { jsdoc } from './jsdoc.js';
import { propertyKey } from './names.js';
import type { SchemaNode } from './schema-types.js';

/** Where each definition's type lives: its TypeScript name and module (e.g. "objects/users"). */
export interface TypeIndex {
  typeName(definition: string): string;
  moduleOf(definition: string): string;
}

export interface RenderOptions {
  /** Params accept readonly arrays (a caller's `as const` list is fine). */
  readonlyArrays: boolean;
}

/** The imports one generated module needs: module -> type names. */
export class ImportSet {
  private readonly byModule = new Map<string, Set<string>>();

  constructor(private readonly self: string) {}

  add(module: string, name: string): void {
    if (module === this.self) return;
    let names = this.byModule.get(module);
    if (!names) this.byModule.set(module, (names = new Set()));
    names.add(name);
  }

  /** `import type` lines, relative to this module, sorted for stable output. */
  render(): string {
    return [...this.byModule.keys()]
      .sort()
      .map((module) => {
        const names = [...this.byModule.get(module)!].sort().join(', ');
        return `import type { ${names} } from '${relativeModule(this.self, module)}';\n`;
      })
      .join('');
  }
}

/** The import specifier of `target` from `from` (both relative to generated/). */
export function relativeModule(from: string, target: string): string {
  const path = posix.relative(posix.dirname(from), target);
  return `${path.startsWith('.') ? '' : './'}${path}.js`;
}

const primitive: Record<string, string> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
};

function literal(value: string | number): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Wraps a union or intersection so it can stand before `[]`. */
function operand(expr: string): string {
  return /[|&]/.test(expr) && !/^\(.*\)$/.test(expr) ? `(${expr})` : expr;
}

export function union(members: string[]): string {
  const unique = [...new Set(members)];
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

export function arrayOf(item: string, readonly: boolean): string {
  return `${readonly ? 'readonly ' : ''}${operand(item)}[]`;
}

/** The JSDoc for an enum: its values' names where the schema gives them. */
export function enumDoc(node: SchemaNode): string | undefined {
  if (!node.enum || !node.enumNames) return undefined;
  return node.enum.map((value, i) => `- \`${literal(value)}\`: ${node.enumNames![i] ?? ''}`).join('\n');
}

export class TypeRenderer {
  constructor(
    private readonly index: TypeIndex,
    private readonly imports: ImportSet,
    private readonly options: RenderOptions,
  ) {}

  ref(definition: string): string {
    const name = this.index.typeName(definition);
    this.imports.add(this.index.moduleOf(definition), name);
    return name;
  }

  render(node: SchemaNode): string {
    if (node.$ref) return this.ref(refName(node.$ref));
    if (node.allOf) return node.allOf.map((member) => operand(this.render(member))).join(' & ');
    if (node.oneOf || node.anyOf) return this.renderChoice(node);
    if (node.enum) return union(node.enum.map(literal));
    if (Array.isArray(node.type)) {
      return union(node.type.map((type) => this.render({ ...node, type })));
    }
    switch (node.type) {
      case 'array':
        return arrayOf(node.items ? this.render(node.items) : 'unknown', this.options.readonlyArrays);
      case 'object':
      case undefined:
        if (node.properties) return this.objectLiteral(node);
        if (node.additionalProperties && typeof node.additionalProperties === 'object') {
          return `{ [key: string]: ${this.render(node.additionalProperties)} }`;
        }
        return node.type === 'object' ? 'Record<string, unknown>' : 'unknown';
      default: {
        const type = primitive[node.type];
        if (!type) throw new Error(`unsupported schema type ${node.type}`);
        return type;
      }
    }
  }

  /**
   * oneOf/anyOf: the union of the branches that can validate beside the node's
   * own `type` (three schema nodes say "object" and offer a string branch that
   * can never match). A discriminator maps tag values onto branches.
   */
  private renderChoice(node: SchemaNode): string {
    const branches = (node.oneOf ?? node.anyOf)!;
    const mapping = node.discriminator?.mapping;
    if (mapping) {
      const tags = new Map<string, string[]>();
      for (const [tag, ref] of Object.entries(mapping)) {
        const name = refName(ref);
        tags.set(name, [...(tags.get(name) ?? []), tag]);
      }
      const key = propertyKey(node.discriminator!.propertyName);
      return union(
        [...tags].map(([name, values]) => `(${this.ref(name)} & { ${key}: ${union(values.map(literal))} })`),
      );
    }
    const own = typeof node.type === 'string' ? node.type : undefined;
    const possible = branches.filter((branch) => !own || !branch.type || branch.type === own);
    return union(possible.map((branch) => this.render(branch)));
  }

  /** The members of an object type, one per line with its JSDoc. */
  members(properties: Record<string, SchemaNode>, required: ReadonlySet<string>): string {
    return Object.entries(properties)
      .map(([name, property]) => {
        const doc = jsdoc([property.description, enumDoc(property)]);
        const optional = required.has(name) ? '' : '?';
        return `${doc}${propertyKey(name)}${optional}: ${this.render(property)};\n`;
      })
      .join('');
  }

  private objectLiteral(node: SchemaNode): string {
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    return `{\n${this.members(node.properties!, required)}}`;
  }
}
