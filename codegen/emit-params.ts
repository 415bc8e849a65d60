// Params types: one interface per method, plus the narrower ones that select
// each response variant. They are written into the method's section module.
import { jsdoc } from './jsdoc.js';
import type { MethodModel } from './model.js';
import { propertyKey } from './names.js';
import type { NormalizedParam } from './normalize.js';
import type { SchemaNode } from './schema-types.js';
import { arrayOf, enumDoc, type TypeRenderer, union } from './type-expressions.js';
import type { ResolvedCondition } from './variants.js';

/** How a param is sent when its JS value alone does not say (see src/pipeline/encode-params.ts). */
export type ParamEncoding = 'json' | { valueObject: string[] };

export interface ParamType {
  type: string;
  encoding?: ParamEncoding;
}

/**
 * The type a caller may pass for a param. `format: json` params take the
 * structured value (sent JSON-encoded) or a pre-encoded string; `value_object`
 * arrays take "owner_id_id" strings or the objects they stand for.
 */
export function paramType(node: SchemaNode, renderer: TypeRenderer): ParamType {
  if (node.format === 'json') {
    const structured = node.$ref
      ? renderer.render({ $ref: node.$ref })
      : node.items
        ? arrayOf(renderer.render(node.items), true)
        : 'Record<string, unknown> | readonly unknown[]';
    return { type: `${structured} | string`, encoding: 'json' };
  }
  const items = node.items;
  if (node.type === 'array' && items?.format === 'value_object' && items.properties) {
    const { format: _format, ...object } = items;
    const itemType = `string | ${renderer.render({ ...object, type: 'object' })}`;
    return { type: arrayOf(itemType, true), encoding: { valueObject: Object.keys(items.properties) } };
  }
  return { type: renderer.render(node) };
}

function isIntegerFlag(param: NormalizedParam): boolean {
  return param.node.type === 'integer';
}

/** The member that narrows a params type to one variant (`when`) or away from all (`!when`). */
function conditionMember(condition: ResolvedCondition, when: boolean, renderer: TypeRenderer): string {
  const { param } = condition;
  const key = propertyKey(param.name);
  switch (condition.kind) {
    case 'truthy':
      if (when) return `${key}: ${isIntegerFlag(param) ? '1' : 'true'};`;
      return `${key}?: ${isIntegerFlag(param) ? '0' : 'false'};`;
    case 'nonEmpty': {
      if (!when) return `${key}?: readonly [];`;
      const item = param.node.items ? renderer.render(param.node.items) : 'unknown';
      return `${key}: readonly [${item}, ...${arrayOf(item, false)}];`;
    }
    case 'given':
      return when ? `${key}: ${paramType(param.node, renderer).type};` : `${key}?: undefined;`;
    case 'oneOf': {
      const values = condition.values!;
      const shown = when ? values : (param.node.enum ?? []).filter((v) => !values.includes(String(v)));
      return `${key}${when || param.required ? '' : '?'}: ${union(shown.map((v) => JSON.stringify(v)))};`;
    }
  }
}

/** The params interface of a method, and the narrower ones that select its variants. */
export function paramsDeclarations(method: MethodModel, renderer: TypeRenderer): string {
  const members = method.params
    .map((param) => {
      const doc = jsdoc([param.node.description, enumDoc(param.node)]);
      return `${doc}${propertyKey(param.name)}${param.required ? '' : '?'}: ${paramType(param.node, renderer).type};\n`;
    })
    .join('');
  if (method.params.length === 0) {
    // An empty interface would accept any object, so a misspelt param would compile.
    const doc = jsdoc([`\`${method.name}\` takes no params.`]);
    return `${doc}export type ${method.paramsType} = Record<string, never>;\n`;
  }
  const doc = jsdoc([`Params of \`${method.name}\`.`]);
  const out = [`${doc}export interface ${method.paramsType} {\n${members}}\n`];
  const { selected } = method.variants;
  for (const variant of selected) {
    const members = variant.when.map((c) => conditionMember(c, true, renderer)).join('\n');
    const doc = jsdoc([`\`${method.name}\` params that select the ${variant.name} response.`]);
    out.push(`${doc}export interface ${method.typePrefix}${variant.name}Params extends ${method.paramsType} {\n${members}\n}\n`);
  }
  if (selected.length > 0) {
    const negated = new Map<string, string>();
    for (const condition of selected.flatMap((v) => v.when)) {
      negated.set(condition.param.name, conditionMember(condition, false, renderer));
    }
    const doc = jsdoc([`\`${method.name}\` params that select none of the variant responses.`]);
    out.push(`${doc}export interface ${method.typePrefix}PlainParams extends ${method.paramsType} {\n${[...negated.values()].join('\n')}\n}\n`);
  }
  return out.join('\n');
}

/** The runtime encodings of a method's params that their JS values do not reveal. */
export function paramEncodings(method: MethodModel, renderer: TypeRenderer): Record<string, ParamEncoding> | undefined {
  const encode: Record<string, ParamEncoding> = {};
  for (const param of method.params) {
    const { encoding } = paramType(param.node, renderer);
    if (encoding) encode[param.name] = encoding;
  }
  return Object.keys(encode).length > 0 ? encode : undefined;
}
