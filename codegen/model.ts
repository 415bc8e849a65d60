// The model the emitters share: every name decided once (and checked for
// clashes), every method with its params type, variants and modules.
import { definitionModule } from './emit-definitions.js';
import { NameRegistry, pascalCase } from './names.js';
import type { NormalizedMethod, NormalizedSchema } from './normalize.js';
import type { TypeIndex } from './type-expressions.js';
import { resolveVariants, type MethodVariants } from './variants.js';

export interface MethodModel extends NormalizedMethod {
  /** Prefix of the method's type names: users.get -> UsersGet. */
  typePrefix: string;
  /** UsersGetParams */
  paramsType: string;
  /** The module holding its params types: sections/users (sections/execute for execute). */
  paramsModule: string;
  variants: MethodVariants;
}

export interface SectionModel {
  /** users */
  name: string;
  /** UsersSection */
  className: string;
  /** sections/users */
  module: string;
  methods: MethodModel[];
}

export interface Model {
  schema: NormalizedSchema;
  index: TypeIndex;
  methods: MethodModel[];
  sections: SectionModel[];
  /** Error name (without the api_error_ prefix) -> code and description. */
  errors: { key: string; name: string; code: number; description: string }[];
  subcodes: { name: string; code: number; description: string }[];
}

export function buildModel(schema: NormalizedSchema): Model {
  const names = new NameRegistry();
  const typeNames = new Map<string, string>();
  for (const definition of Object.keys(schema.definitions)) {
    typeNames.set(definition, names.claim(pascalCase(definition), `definition ${definition}`));
  }
  const index: TypeIndex = {
    typeName: (definition) => typeNames.get(definition)!,
    moduleOf: (definition) => definitionModule(definition, schema),
  };
  const methods = schema.methods.map((method): MethodModel => {
    const typePrefix = pascalCase(method.section) + pascalCase(method.method);
    const variants = resolveVariants(method);
    for (const variant of [...variants.selected.map((v) => v.name), ...(variants.selected.length ? ['Plain'] : [])]) {
      names.claim(`${typePrefix}${variant}Params`, `method ${method.name}`);
    }
    return {
      ...method,
      typePrefix,
      paramsType: names.claim(`${typePrefix}Params`, `method ${method.name}`),
      paramsModule: `sections/${method.section || method.method}`,
      variants,
    };
  });
  const sections = [...new Set(methods.map((m) => m.section).filter(Boolean))].sort().map(
    (name): SectionModel => ({
      name,
      className: names.claim(`${pascalCase(name)}Section`, `section ${name}`),
      module: `sections/${name}`,
      methods: methods.filter((m) => m.section === name),
    }),
  );
  // Error names are keys of one const object, apart from the type namespace.
  const errorNames = new NameRegistry();
  const errors = Object.entries(schema.errors)
    .map(([key, error]) => ({
      key,
      name: errorNames.claim(pascalCase(key.replace(/^api_error_/, '')), `error ${key}`),
      code: error.code,
      description: error.description ?? '',
    }))
    .sort((a, b) => a.code - b.code || (a.name < b.name ? -1 : 1));
  const subcodes = Object.entries(schema.subcodes)
    .map(([key, subcode]) => ({ name: pascalCase(key), code: subcode.subcode, description: subcode.description ?? '' }))
    .sort((a, b) => a.code - b.code || (a.name < b.name ? -1 : 1));
  return { schema, index, methods, sections, errors, subcodes };
}
