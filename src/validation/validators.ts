// The compiled validators. Ajv and the generated schemas (generated/validation/,
// ~0.6 MB of JSON text) are imported on the first check, and each method's
// validator is compiled the first time that method is checked: importing the
// SDK, or creating a session, costs nothing. One ajv instance serves the
// process, so every session shares what was compiled.

import type { Ajv, ValidateFunction } from 'ajv';
import type { ResponseVariants } from '../../generated/validation/responses.js';
import { selectResponses } from './response-variants.js';

/** Ajv with the schema's definitions registered, and the `$id` they are registered under. */
interface Compiler {
  ajv: Ajv;
  definitionsId: string;
  /** The parsed definitions, the very objects ajv holds (its errors' `parentSchema`). */
  definitions: Readonly<Record<string, object>>;
}

let compiler: Promise<Compiler> | undefined;
const paramsValidators = new Map<string, ValidateFunction>();
const responseValidators = new Map<string, ValidateFunction>();
const variantsByMethod = new Map<string, ResponseVariants>();

const int32 = 2 ** 31;

function loadCompiler(): Promise<Compiler> {
  compiler ??= (async () => {
    const [{ Ajv }, { definitions, definitionsId }] = await Promise.all([
      import('ajv'),
      import('../../generated/validation/definitions.js'),
    ]);
    const ajv = new Ajv({
      // The schema is not strict draft-07 (see SCHEMA-NOTES.md); these are checks of the schema, not of values.
      strict: false,
      strictTypes: false,
      allowUnionTypes: true,
      // NaN and Infinity are numbers to JS but no number to VK.
      strictNumbers: true,
      allErrors: true,
      // A discriminated oneOf checks only the branch its tag names (codegen/emit-validation.ts).
      discriminator: true,
      // Errors carry the value and the schema: problems say what was given and suggest names.
      verbose: true,
      // The generated schemas are checked by the generator's tests, not on every start.
      validateSchema: false,
      // Definitions are compiled once each and called by reference: inlining them
      // into every schema that uses them doubles the first compile of a big response.
      inlineRefs: false,
    });
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= -int32 && n < int32 });
    const parsed = Object.fromEntries(Object.entries(definitions).map(([name, json]) => [name, JSON.parse(json)]));
    ajv.addSchema({ $id: definitionsId, definitions: parsed });
    return { ajv, definitionsId, definitions: parsed };
  })();
  return compiler;
}

/** The validator of a method's params. */
export async function paramsValidator(method: string): Promise<ValidateFunction> {
  const cached = paramsValidators.get(method);
  if (cached) return cached;
  const [{ ajv }, { paramsSchemas }] = await Promise.all([loadCompiler(), import('../../generated/validation/params.js')]);
  const schema = paramsSchemas[method];
  if (schema === undefined) throw new RangeError(`the schema has no method ${method}`);
  return compileOnce(paramsValidators, method, () => ajv.compile(JSON.parse(schema)));
}

/** The validator of the response a call of `method` with `params` gets: the
 * variant the params select (any of them, when it joins several). */
export async function responseValidator(method: string, params: object | undefined): Promise<ValidateFunction> {
  const [{ ajv, definitionsId }, variants] = await Promise.all([loadCompiler(), responseVariantsOf(method)]);
  const definitions = selectResponses(variants, params);
  const refs = definitions.map((name) => ({ $ref: `${definitionsId}#/definitions/${name}` }));
  return compileOnce(responseValidators, definitions.join('|'), () =>
    ajv.compile(refs.length === 1 ? refs[0]! : { anyOf: refs }),
  );
}

async function responseVariantsOf(method: string): Promise<ResponseVariants> {
  const cached = variantsByMethod.get(method);
  if (cached) return cached;
  const { responseVariants } = await import('../../generated/validation/responses.js');
  const json = responseVariants[method];
  if (json === undefined) throw new RangeError(`the schema has no method ${method}`);
  const variants = JSON.parse(json) as ResponseVariants;
  variantsByMethod.set(method, variants);
  return variants;
}

// Two first calls may both have waited for the imports: the first to get here compiles.
function compileOnce(
  cache: Map<string, ValidateFunction>,
  key: string,
  compile: () => ValidateFunction,
): ValidateFunction {
  let validate = cache.get(key);
  if (!validate) cache.set(key, (validate = compile()));
  return validate;
}

/** The definitions the validators check against, by name: tools map an error's
 * `parentSchema` back to the definition it belongs to (schema/propose-corrections.ts). */
export async function definitionNodes(): Promise<Readonly<Record<string, object>>> {
  return (await loadCompiler()).definitions;
}
