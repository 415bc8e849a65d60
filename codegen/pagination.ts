// Which methods `paginate()` can walk: those with integer `count` and `offset`
// params whose every response (each variant included) is an object with
// `count` and an `items` array. The bounds of the two params come along, so
// the runtime picks a page size the method accepts and stops where the method
// stops accepting offsets.
import { flattenObject } from './emit-definitions.js';
import type { MethodModel } from './model.js';
import type { NormalizedSchema } from './normalize.js';

export interface PageBounds {
  /** The schema's maximum for `count`: the default page size. */
  maxCount?: number;
  /** The schema's minimum for `count`, when above 1. */
  minCount?: number;
  /** The schema's maximum for `offset`. */
  maxOffset?: number;
}

function isPage(definition: string, schema: NormalizedSchema): boolean {
  const payload = schema.definitions[definition]!.properties?.['response'];
  const flat = payload && flattenObject(payload, schema.definitions);
  return flat?.properties['count']?.type === 'integer' && flat.properties['items']?.type === 'array';
}

/** The bounds of a paginated method's `count` and `offset`; undefined when the method does not paginate. */
export function pageBounds(method: MethodModel, schema: NormalizedSchema): PageBounds | undefined {
  const count = method.params.find((p) => p.name === 'count')?.node;
  const offset = method.params.find((p) => p.name === 'offset')?.node;
  if (count?.type !== 'integer' || offset?.type !== 'integer') return undefined;
  const responses = [...method.variants.defaults, ...method.variants.selected.flatMap((v) => v.responses)];
  if (!responses.every((definition) => isPage(definition, schema))) return undefined;
  const bounds: PageBounds = {};
  if (count.maximum !== undefined) bounds.maxCount = count.maximum;
  if (count.minimum !== undefined && count.minimum > 1) bounds.minCount = count.minimum;
  if (offset.maximum !== undefined) bounds.maxOffset = offset.maximum;
  return bounds;
}
