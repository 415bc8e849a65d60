// Emits the data tables: generated/methods.ts (MethodMap for typed call(),
// methodInfo for the runtime), generated/errors.ts and the type index.
import { jsdoc } from './jsdoc.js';
import type { Model } from './model.js';
import type { ParamEncoding } from './emit-params.js';
import { ImportSet, relativeModule, union } from './type-expressions.js';

function methodsModule(model: Model, encodings: Map<string, Record<string, ParamEncoding>>, header: string): string {
  const module = 'methods';
  const imports = new ImportSet(module);
  const use = (paramsModule: string, name: string) => (imports.add(paramsModule, name), name);
  const response = (definitions: string[]) =>
    union(definitions.map((d) => use(model.index.moduleOf(d), model.index.typeName(d))));
  const entries = model.methods.map((method) => {
    const { selected, defaults } = method.variants;
    const variants = selected.map(
      (v) => `readonly [${use(method.paramsModule, `${method.typePrefix}${v.name}Params`)}, ${response(v.responses)}]`,
    );
    if (selected.length > 0) {
      variants.push(`readonly [${use(method.paramsModule, `${method.typePrefix}PlainParams`)}, ${response(defaults)}]`);
    }
    const all = response([...defaults, ...selected.flatMap((v) => v.responses)]);
    return `'${method.name}': {\nparams: ${use(method.paramsModule, method.paramsType)};\nresponse: ${all};\nvariants: readonly [${variants.join(', ')}];\n};`;
  });
  const info = model.methods.map((method) => {
    const encode = encodings.get(method.name);
    const access = `access: ${JSON.stringify(method.access)}`;
    return `'${method.name}': { ${access}${encode ? `, encode: ${JSON.stringify(encode)}` : ''} },`;
  });
  const tokenTypes = [...new Set(model.methods.flatMap((m) => m.access))].sort();
  return `${header}
${imports.render()}
/** The API version this schema describes: the default \`v\` of every session. */
export const schemaVersion = ${JSON.stringify(model.schema.version)};

/** The kinds of access token VK issues; each method lists those it accepts. */
export type AccessTokenType = ${union(tokenTypes.map((t) => JSON.stringify(t)))};

/** How a param is encoded when its JS value alone does not say. */
export type ParamEncoding = 'json' | { readonly valueObject: readonly string[] };

export interface MethodInfo {
  readonly access: readonly AccessTokenType[];
  readonly encode?: { readonly [param: string]: ParamEncoding };
}

/**
 * Every method by name: its params, its response (the union of all variants)
 * and the variants as [params that select it, response] pairs, most specific first.
 */
export interface MethodMap {
${entries.join('\n')}
}

export type MethodName = keyof MethodMap;

/** What the runtime needs to know of each method. */
export const methodInfo: { readonly [M in MethodName]: MethodInfo } = {
${info.join('\n')}
};
`;
}

function errorsModule(model: Model, header: string): string {
  const codes = model.errors.map((e) => `${jsdoc([e.description])}${e.name}: ${e.code},`).join('\n');
  const descriptions = new Map<number, string[]>();
  for (const e of model.errors) descriptions.set(e.code, [...(descriptions.get(e.code) ?? []), e.description]);
  const described = [...descriptions].map(([code, texts]) => `${code}: ${JSON.stringify([...new Set(texts)].join('; '))},`);
  const subcodes = model.subcodes.map((s) => `${jsdoc([s.description || undefined])}${s.name}: ${s.code},`).join('\n');
  return `${header}
/** VK API error codes from errors.json, by name. */
export const ApiErrorCode = {
${codes}
} as const;

/** A VK API error code the schema knows. */
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** What each error code means, as errors.json puts it. */
export const apiErrorDescriptions: { readonly [code: number]: string } = {
${described.join('\n')}
};

/** The error_subcode values errors.json names. */
export const ApiErrorSubcode = {
${subcodes}
} as const;

export type ApiErrorSubcode = (typeof ApiErrorSubcode)[keyof typeof ApiErrorSubcode];
`;
}

/** Re-exports every generated type, so users import them from the package. */
function indexModule(modules: string[], header: string): string {
  const lines = modules.sort().map((m) => `export type * from '${relativeModule('index', m)}';`);
  return `${header}\n${lines.join('\n')}\nexport type { AccessTokenType, MethodMap, MethodName } from './methods.js';\n`;
}

export function emitTables(
  model: Model,
  encodings: Map<string, Record<string, ParamEncoding>>,
  typeModules: string[],
  header: string,
): Map<string, string> {
  return new Map([
    ['methods', methodsModule(model, encodings, header)],
    ['errors', errorsModule(model, header)],
    ['index', indexModule(typeModules, header)],
  ]);
}
