// The rules of the changelog for one shape change: whether it may stop code from
// compiling, given where the type is used, and how it reads.
import type { ShapeChange } from './shapes.js';

/** Where a type is used: sent by callers (params), sent back by VK (responses), or both. */
export interface Use {
  input: boolean;
  output: boolean;
}

/** True where the shape change may stop code from compiling, given where the type is used. */
export function breaks(shape: ShapeChange, where: Use): boolean {
  switch (shape.what) {
    case 'property-added':
      return where.input && shape.required;
    case 'property-removed':
    case 'enum-value-removed':
      return true;
    case 'enum-value-added':
      return false;
    case 'required-changed':
      return shape.required ? where.input : where.output;
    case 'type-changed':
      return (where.input && shape.relation !== 'wider') || (where.output && shape.relation !== 'narrower');
  }
}

/** `path: what` for a shape change, the path relative to what was compared. */
export function shapeText(shape: ShapeChange): string {
  const at = (text: string) => (shape.path === '' ? text : `${shape.path}: ${text}`);
  switch (shape.what) {
    case 'property-added':
      return at(shape.required ? 'property added (required)' : 'property added');
    case 'property-removed':
      return at('property removed');
    case 'required-changed':
      return at(shape.required ? 'now required' : 'now optional');
    case 'type-changed':
      return at(`${shape.from} -> ${shape.to}`);
    case 'enum-value-added':
    case 'enum-value-removed':
      return at(JSON.stringify(shape.value));
  }
}
