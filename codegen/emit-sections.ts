// Emits one module per API section (generated/sections/<section>.ts): the
// params types of its methods and a class whose methods hand (method name,
// params) to the session; and the SectionsBase class that every session
// extends to expose the sections lazily.
import { jsdoc } from './jsdoc.js';
import type { MethodModel, Model, SectionModel } from './model.js';
import { paramsDeclarations } from './emit-params.js';
import { ImportSet, relativeModule, TypeRenderer, union } from './type-expressions.js';
import type { ResolvedCondition } from './variants.js';

/** Where the runtime's caller contract lives, relative to generated/. */
const callerModule = '../src/core/calls';

function methodDoc(method: MethodModel, model: Model, variantNote?: string): string {
  const errors = method.errors.map((key) => {
    const error = model.errors.find((e) => e.key === key)!;
    return `${error.code} ${error.name}`;
  });
  return jsdoc([
    method.description ?? `Calls \`${method.name}\`.`,
    '',
    variantNote,
    method.access.length ? `Token types: ${method.access.join(', ')}.` : undefined,
    errors.length ? `Errors: ${errors.join(', ')}.` : undefined,
    // A plain line, not `@see`: TypeScript parses every comment holding `@see` or
    // `@link` as JSDoc when it type-checks, 681 blocks for each consumer.
    `Docs: https://dev.vk.com/method/${method.name}`,
  ]);
}

function responseUnion(definitions: string[], model: Model, imports: ImportSet): string {
  return union(
    definitions.map((definition) => {
      const name = model.index.typeName(definition);
      imports.add(model.index.moduleOf(definition), name);
      return name;
    }),
  );
}

function hasRequired(method: MethodModel): boolean {
  return method.params.some((p) => p.required);
}

/** How a variant is selected, in words, for the overload's JSDoc. */
function describeCondition({ kind, param, values }: ResolvedCondition): string {
  switch (kind) {
    case 'truthy':
      return `\`${param.name}\` set`;
    case 'nonEmpty':
      return `non-empty \`${param.name}\``;
    case 'given':
      return `\`${param.name}\` given`;
    case 'oneOf':
      return `\`${param.name}\`: ${values!.map((v) => `'${v}'`).join(' or ')}`;
  }
}

function sectionMethod(method: MethodModel, model: Model, imports: ImportSet): string {
  const doc = methodDoc(method, model);
  const name = method.method;
  // `X`: the params the session adds to every method (see the class's type parameter).
  const paramsArg = (type: string, required: boolean) => `params${required ? '' : '?'}: ${type} & X, options?: CallOptions`;
  const call = `return this.#caller.callMethod('${method.name}', params, options);`;
  // A method without params takes X alone: X & Record<string, never> would refuse X's keys too.
  const base =
    method.params.length === 0
      ? `params?: [keyof X] extends [never] ? ${method.paramsType} : X, options?: CallOptions`
      : paramsArg(method.paramsType, hasRequired(method));
  imports.add(method.paramsModule, method.paramsType);
  const { selected, defaults } = method.variants;
  if (selected.length === 0) {
    const response = responseUnion(defaults, model, imports);
    return `${doc}${name}(${base}): Promise<${response}> {\n${call}\n}\n`;
  }
  const overloads = selected.map((variant) => {
    const type = `${method.typePrefix}${variant.name}Params`;
    imports.add(method.paramsModule, type);
    const note = `With ${variant.when.map(describeCondition).join(' and ')}: the ${variant.name} response.`;
    return `${methodDoc(method, model, note)}${name}(${paramsArg(type, true)}): Promise<${responseUnion(variant.responses, model, imports)}>;`;
  });
  const plain = `${method.typePrefix}PlainParams`;
  imports.add(method.paramsModule, plain);
  const plainRequired = hasRequired(method);
  const plainDoc = methodDoc(method, model, 'Without the params that select a variant: the plain response.');
  overloads.push(`${plainDoc}${name}(${paramsArg(plain, plainRequired)}): Promise<${responseUnion(defaults, model, imports)}>;`);
  const all = [...defaults, ...selected.flatMap((v) => v.responses)];
  const anyDoc = methodDoc(method, model, 'When the selecting params are not known at compile time: any of the responses.');
  overloads.push(`${anyDoc}${name}(${base}): Promise<${responseUnion(all, model, imports)}>;`);
  return `${overloads.join('\n')}\n${name}(${base}): Promise<unknown> {\n${call}\n}\n`;
}

function sectionModule(section: SectionModel, model: Model, header: string): string {
  const imports = new ImportSet(section.module);
  imports.add(callerModule, 'CallOptions');
  imports.add(callerModule, 'MethodCaller');
  const renderer = new TypeRenderer(model.index, imports, { readonlyArrays: true });
  const params = section.methods.map((m) => paramsDeclarations(m, renderer)).join('\n');
  const methods = section.methods.map((m) => sectionMethod(m, model, imports)).join('\n');
  const doc = jsdoc([
    `The \`${section.name}.*\` methods of the VK API.`,
    "@typeParam X params every method takes besides its own (a community session's `group_id`)",
  ]);
  const body = `${doc}export class ${section.className}<X extends object = {}> {
  readonly #caller: MethodCaller;

  constructor(caller: MethodCaller) {
    this.#caller = caller;
  }

${methods}}
`;
  return `${header}\n${imports.render()}\n${params}\n${body}`;
}

/** Methods outside any section (execute): a module with their params types only. */
function paramsOnlyModule(methods: MethodModel[], module: string, model: Model, header: string): string {
  const imports = new ImportSet(module);
  const renderer = new TypeRenderer(model.index, imports, { readonlyArrays: true });
  const params = methods.map((m) => paramsDeclarations(m, renderer)).join('\n');
  return `${header}\n${imports.render()}\n${params}`;
}

/** Per section and token type, the names of the methods that token type may call. */
function methodsByToken(model: Model): string {
  const tokenTypes = [...new Set(model.methods.flatMap((m) => m.access))].sort();
  const sections = model.sections.map((section) => {
    const byToken = tokenTypes.map((token) => {
      const names = section.methods.filter((m) => m.access.includes(token)).map((m) => `'${m.method}'`);
      return `${token}: ${union(names)};`;
    });
    return `${section.name}: {\n${byToken.join('\n')}\n};`;
  });
  return sections.join('\n');
}

function sectionsBase(model: Model, header: string): string {
  const module = 'sections';
  const valueImports = model.sections
    .map((s) => `import { ${s.className} } from '${relativeModule(module, s.module)}';\n`)
    .join('');
  const fields = model.sections.map((s) => `#${s.name}?: ${s.className}<X>;`).join('\n');
  const getters = model.sections
    .map(
      (s) =>
        `${jsdoc([`The \`${s.name}.*\` methods.`])}get ${s.name}(): SectionFor<'${s.name}', T, ${s.className}<X>> {\nreturn (this.#${s.name} ??= new ${s.className}<X>(this));\n}\n`,
    )
    .join('\n');
  return `${header}
import type { CallOptions, MethodCaller } from '${relativeModule(module, callerModule)}';
import type { AccessTokenType, SectionMap } from './methods.js';
${valueImports}
/** The methods a session may call: those of one or more token types, or \`'any'\` for all. */
export type TokenScope = AccessTokenType | 'any';

/** Per section and token type (the schema's \`access_token_type\`), the methods that token type may call. */
export interface SectionMethodsByToken {
${methodsByToken(model)}
}

/** Section \`S\` (as class \`C\`, e.g. with a session's extra params) as a session of
 * scope \`T\` sees it: only the methods its token may call. */
export type SectionFor<S extends keyof SectionMap, T extends TokenScope, C = SectionMap[S]> = 'any' extends T
  ? C
  : Pick<C, SectionMethodsByToken[S][Exclude<T, 'any'>] & keyof C>;

/**
 * Every API section as a lazily created property; sessions extend this. A
 * session typed for a token type (\`SectionsBase<'group'>\`) shows only the
 * methods that token type may call; \`X\` is params every method of it takes
 * besides its own (\`{ group_id?: number }\` on a community session).
 */
export abstract class SectionsBase<T extends TokenScope = 'any', X extends object = {}> implements MethodCaller {
${fields}

abstract callMethod<R>(method: string, params: object | undefined, options?: CallOptions): Promise<R>;

${getters}}
`;
}

export function emitSections(model: Model, header: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const section of model.sections) modules.set(section.module, sectionModule(section, model, header));
  for (const method of model.methods.filter((m) => !m.section)) {
    modules.set(method.paramsModule, paramsOnlyModule([method], method.paramsModule, model, header));
  }
  modules.set('sections', sectionsBase(model, header));
  return modules;
}
