// Which response a call's params select, at run time: the same rules the
// generated types apply at compile time (codegen/variants.ts), read from the
// generated table, so a response is checked against the variant it is.

import type { ResponseVariants, VariantCondition } from '../../generated/validation/responses.js';

function holds({ kind, param, values }: VariantCondition, params: Readonly<Record<string, unknown>>): boolean {
  const value = params[param];
  switch (kind) {
    case 'truthy':
      // As VK reads the encoded value: true/1 set the flag, false/0/'0' do not.
      return value !== undefined && value !== null && value !== false && value !== 0 && value !== '0' && value !== '';
    case 'nonEmpty':
      return (Array.isArray(value) || typeof value === 'string') && value.length > 0;
    case 'given':
      return value !== undefined && value !== null;
    case 'oneOf':
      return value !== undefined && value !== null && values!.includes(String(value));
  }
}

/** The response definitions a call with `params` may get. */
export function selectResponses(variants: ResponseVariants, params: object | undefined): readonly string[] {
  const record = (params ?? {}) as Readonly<Record<string, unknown>>;
  const match = variants.selected?.find((variant) => variant.when.every((condition) => holds(condition, record)));
  return match ? match.responses : variants.defaults;
}
