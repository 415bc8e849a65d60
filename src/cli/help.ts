// `vk-typed --help [topic]`: the usage, a section's methods, or one method (its
// description, params with their types, required marks and enum values, response
// type names, token types), written from the generated schemas the SDK checks
// against, and the schema's descriptions when a schema folder is at hand.

import { methodInfo, type MethodName } from '../../generated/methods.js';
import type { ResponseVariants, VariantCondition } from '../../generated/validation/responses.js';
import { flagHelp } from './options.js';
import { exitCodes, UsageError } from './outcome.js';
import { acceptedTypes, isSchemaMethod, listItems, methodParams, type ParamSchema } from './param-schemas.js';
import { sectionDescriptions, type SectionDescriptions } from './schema-descriptions.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The help for `topic` (a method, a section) or, without one, the usage; a `UsageError` for an unknown topic. */
export async function helpText(topic: string | undefined, env: Env): Promise<string> {
  if (topic === undefined) return usageText();
  if (isSchemaMethod(topic)) return methodHelp(topic, env);
  if (methodsOf(topic).length > 0) return sectionHelp(topic, env);
  throw new UsageError(unknownMethod(topic));
}

/** Why `name` is no method, and where to look instead. */
export function unknownMethod(name: string): string {
  const section = sectionOf(name);
  const siblings = methodsOf(section);
  if (siblings.length > 0) return `unknown method ${name}; ${section} has ${siblings.join(', ')}`;
  return `unknown method or section ${name}; the sections are ${sectionNames().join(', ')}`;
}

/** The kinds of token `method` accepts, as the schema lists them. */
export function tokenTypes(method: MethodName): string {
  const { access } = methodInfo[method];
  return access.length > 0 ? access.join(', ') : 'not listed in the schema';
}

function usageText(): string {
  const width = Math.max(...flagHelp.map(([flag]) => flag.length)) + 2;
  return [
    'vk-typed: one VK API call from the command line; its response is printed as JSON (indented on a terminal).',
    '',
    'Usage:',
    '  vk-typed <method> [key=value ...] [flags]',
    '  vk-typed --help [<method> | <section>]',
    '',
    "Values are read as each param's type needs: lists as a,b,c or a JSON array, integers,",
    'booleans as 1/0 or true/false, objects as JSON. Params are checked against the schema',
    'before anything is sent.',
    '',
    'Flags:',
    ...flagHelp.map(([flag, meaning]) => `  ${flag.padEnd(width)}${meaning}`),
    '',
    'Exit codes:',
    `  ${exitCodes.ok}  the call succeeded`,
    `  ${exitCodes.failure}  an unexpected failure`,
    `  ${exitCodes.usage}  bad usage or invalid params: unknown flag or method, no token, a value the schema refuses (nothing sent)`,
    `  ${exitCodes.apiError}  VK answered with an error`,
    `  ${exitCodes.network}  no reply from VK: network failure, timeout, HTTP error`,
    '',
    `Sections: ${sectionNames().join(', ')}`,
    '',
    'Example:',
    '  VK_TOKEN=... vk-typed users.get user_ids=1,2 fields=city,photo_100',
    '',
  ].join('\n');
}

async function methodHelp(method: MethodName, env: Env): Promise<string> {
  const [{ params }, variants] = await Promise.all([methodParams(method), responseVariantsOf(method)]);
  const described = sectionDescriptions(sectionOf(method), env);
  const descriptions = described.found ? described.methods.get(method) : undefined;
  const required = params.filter((param) => param.required).map((param) => `${param.name}=...`);
  const width = Math.max(0, ...params.map((param) => param.name.length + (param.required ? 2 : 0))) + 2;
  const paramLines = params.flatMap((param) => {
    const name = param.required ? `${param.name} *` : param.name;
    const description = descriptions?.params.get(param.name);
    const line = `  ${name.padEnd(width)}${describeType(param.schema)}`;
    return description === undefined ? [line] : [line, `  ${''.padEnd(width)}${description}`];
  });
  return [
    method,
    ...(descriptions?.description ? [`  ${descriptions.description}`] : []),
    '',
    `Usage: vk-typed ${[method, ...required, '[key=value ...]'].join(' ')}`,
    `Token types: ${tokenTypes(method)}`,
    ...responseLines(variants),
    '',
    params.length === 0 ? 'Params: none' : 'Params (* required):',
    ...paramLines,
    ...descriptionsNote(described),
    '',
  ].join('\n');
}

function sectionHelp(section: string, env: Env): string {
  const described = sectionDescriptions(section, env);
  const methods = methodsOf(section).map((name) => `${section}.${name}` as MethodName);
  const width = Math.max(...methods.map((method) => method.length)) + 2;
  const lines = methods.map((method) => {
    const description = described.found ? described.methods.get(method)?.description : undefined;
    return `  ${method.padEnd(width)}${description ?? `token types: ${tokenTypes(method)}`}`;
  });
  return [
    `${section}: ${methods.length} methods (vk-typed --help <method> for one)`,
    ...lines,
    ...descriptionsNote(described),
    '',
  ].join('\n');
}

function descriptionsNote(described: SectionDescriptions): string[] {
  return described.found ? [] : ['', `(No descriptions: ${described.reason}.)`];
}

async function responseVariantsOf(method: MethodName): Promise<ResponseVariants> {
  const { responseVariants } = await import('../../generated/validation/responses.js');
  return JSON.parse(responseVariants[method]!) as ResponseVariants;
}

function responseLines(variants: ResponseVariants): string[] {
  const names = (definitions: readonly string[]) => definitions.map(typeNameOf).join(' | ');
  if (variants.selected === undefined) return [`Response: ${names(variants.defaults)}`];
  return [
    'Response:',
    ...variants.selected.map((variant) => `  with ${variant.when.map(describeCondition).join(' and ')}: ${names(variant.responses)}`),
    `  otherwise: ${names(variants.defaults)}`,
  ];
}

function describeCondition(condition: VariantCondition): string {
  switch (condition.kind) {
    case 'truthy':
      return `${condition.param}=1`;
    case 'nonEmpty':
      return `${condition.param} not empty`;
    case 'given':
      return `${condition.param} given`;
    case 'oneOf':
      return `${condition.param}=${(condition.values ?? []).join('|')}`;
  }
}

/** The TypeScript name the generator gives a schema definition: users_get_response -> UsersGetResponse. */
export function typeNameOf(definition: string): string {
  return definition
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** A param's type as help shows it: `integer 0..100`, `list of integer or string (at most 1000)`, `one of nom, gen`. */
export function describeType(schema: ParamSchema): string {
  if (schema.enum !== undefined) return `one of ${schema.enum.map((value) => String(value)).join(', ')}`;
  const members = schema.anyOf ?? schema.oneOf;
  if (members !== undefined) return members.map(describeType).join(' or ');
  const items = listItems(schema);
  return [...acceptedTypes(schema)]
    .map((type) => {
      if (type === 'array') {
        const most = schema.maxItems === undefined ? '' : `, at most ${schema.maxItems}`;
        return `list of ${items === undefined ? 'values' : describeType(items)} (a,b or JSON${most})`;
      }
      if (type === 'object') return 'JSON object';
      if (type === 'boolean') return 'boolean (1 or 0)';
      if (type === 'integer' || type === 'number') return `${type}${bounds(schema)}`;
      if (type === 'string' && schema.maxLength !== undefined) return `string (at most ${schema.maxLength} characters)`;
      return type;
    })
    .join(' or ');
}

function bounds({ minimum, maximum }: ParamSchema): string {
  if (minimum !== undefined && maximum !== undefined) return ` ${minimum}..${maximum}`;
  if (minimum !== undefined) return ` >= ${minimum}`;
  return maximum === undefined ? '' : ` <= ${maximum}`;
}

function sectionOf(method: string): string {
  return method.includes('.') ? method.slice(0, method.indexOf('.')) : method;
}

/** The method names (without the section) of `section`, in the schema's order. */
function methodsOf(section: string): string[] {
  const prefix = `${section}.`;
  return Object.keys(methodInfo).flatMap((name) => (name.startsWith(prefix) ? [name.slice(prefix.length)] : []));
}

function sectionNames(): string[] {
  return [...new Set(Object.keys(methodInfo).flatMap((name) => (name.includes('.') ? [sectionOf(name)] : [])))];
}
