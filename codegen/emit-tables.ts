// Emits the tables: generated/methods.ts (the section map and variant table
// that type call(), methodInfo for the runtime), generated/errors.ts and the
// type index.
import { jsdoc } from './jsdoc.js';
import type { Model } from './model.js';
import { paramEncodings } from './emit-params.js';
import { pageBounds } from './pagination.js';
import { ImportSet, relativeModule, TypeRenderer, union } from './type-expressions.js';

function methodsModule(model: Model, header: string): string {
  const module = 'methods';
  const imports = new ImportSet(module);
  // Encodings are data, not types: render them with imports nobody writes out.
  const encodingRenderer = new TypeRenderer(model.index, new ImportSet(module), { readonlyArrays: true });
  const use = (from: string, name: string) => (imports.add(from, name), name);
  const response = (definitions: string[]) =>
    union(definitions.map((d) => use(model.index.moduleOf(d), model.index.typeName(d))));
  const sectionMap = model.sections.map((s) => `${s.name}: ${use(s.module, s.className)};`);
  const loose = model.methods
    .filter((m) => !m.section)
    .map((m) => `${m.name}: { params: ${use(m.paramsModule, m.paramsType)}; response: ${response(m.variants.defaults)} };`);
  const variants = model.methods
    .filter((m) => m.variants.selected.length > 0)
    .map((method) => {
      const { selected, defaults } = method.variants;
      const pairs = selected.map(
        (v) => `readonly [${use(method.paramsModule, `${method.typePrefix}${v.name}Params`)}, ${response(v.responses)}]`,
      );
      pairs.push(`readonly [${use(method.paramsModule, `${method.typePrefix}PlainParams`)}, ${response(defaults)}]`);
      return `'${method.name}': readonly [${pairs.join(', ')}];`;
    });
  const paginated: string[] = [];
  const info = model.methods.map((method) => {
    const encode = paramEncodings(method, encodingRenderer);
    const page = pageBounds(method, model.schema);
    if (page) paginated.push(`'${method.name}'`);
    const access = `access: ${JSON.stringify(method.access)}`;
    return `'${method.name}': { ${access}${encode ? `, encode: ${JSON.stringify(encode)}` : ''}${page ? `, page: ${JSON.stringify(page)}` : ''} },`;
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

/** The schema's bounds of a paginated method's \`count\` and \`offset\` params. */
export interface PageBounds {
  /** The most items one call returns: the default page size. */
  readonly maxCount?: number;
  /** The fewest items one call may ask for, when above 1. */
  readonly minCount?: number;
  /** The highest offset the method accepts. */
  readonly maxOffset?: number;
}

export interface MethodInfo {
  readonly access: readonly AccessTokenType[];
  readonly encode?: { readonly [param: string]: ParamEncoding };
  /** Set for the methods \`paginate()\` walks. */
  readonly page?: PageBounds;
}

/**
 * Every section's class by name. Method names, params and responses are read
 * off these classes (src/core/method-types.ts), so no second table of 566 entries
 * has to be parsed by every consumer's compiler.
 */
export interface SectionMap {
${sectionMap.join('\n')}
}

/** Methods outside any section. */
export interface LooseMethods {
${loose.join('\n')}
}

/** "section.method" for every method of the schema. */
export type MethodName =
  | { [S in keyof SectionMap]: \`\${S}.\${keyof SectionMap[S] & string}\` }[keyof SectionMap]
  | keyof LooseMethods;

/**
 * The methods whose params select among responses: [params that select it,
 * response] pairs, most specific first, for typing \`call()\` as the section
 * methods' overloads are typed.
 */
export interface MethodVariants {
${variants.join('\n')}
}

/** The methods with \`count\` and \`offset\` params and a \`{ count, items }\` response, which \`paginate()\` walks. */
export type PaginatedMethod = ${union(paginated)};

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
  return `${header}\n${lines.join('\n')}\nexport type { AccessTokenType, MethodName } from './methods.js';\n`;
}

export function emitTables(model: Model, typeModules: string[], header: string): Map<string, string> {
  return new Map([
    ['methods', methodsModule(model, header)],
    ['errors', errorsModule(model, header)],
    ['index', indexModule(typeModules, header)],
  ]);
}
