// `key=value` arguments to params: each value is read as its param's schema asks
// (a list as `a,b` or a JSON array, an integer, a boolean as 1/0 or true/false, an
// object as JSON). A value that reads as none of its types stays the string it was,
// so that the SDK's params check says what is wrong with it, as it would in code;
// only JSON text that does not parse is refused here.

import { censorValue } from '../core/censor.js';
import { acceptedTypes, listItems, type MethodParams, type ParamSchema } from './param-schemas.js';
import { UsageError } from './outcome.js';

const booleanWords: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['true', true],
  ['0', false],
  ['false', false],
]);

const integerText = /^-?\d+$/;
const numberText = /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
// An argument that long is likelier a token pasted in the wrong place than a name.
const censoredArgumentLength = 32;

/** The params the arguments give, in their order; throws a `UsageError` for an
 * argument that is not `key=value`, a key given twice, or JSON that does not parse. */
export function paramsFromArguments(args: readonly string[], method: MethodParams): Record<string, unknown> {
  const schemas = new Map(method.params.map((param) => [param.name, param.schema]));
  const params: Record<string, unknown> = {};
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals <= 0) {
      const shown = arg.length >= censoredArgumentLength ? censorValue(arg) : arg;
      throw new UsageError(`expected key=value, got "${shown}"`);
    }
    const name = arg.slice(0, equals);
    if (Object.hasOwn(params, name)) throw new UsageError(`${name} is given twice`);
    const schema = schemas.get(name);
    // A param the schema lacks goes as given: the params check names it (and the one meant).
    params[name] = schema === undefined ? arg.slice(equals + 1) : parseValue(arg.slice(equals + 1), schema, name);
  }
  return params;
}

/** `text` as the JSON value `schema` accepts, when it reads as one; else `text`.
 * Throws a `UsageError` for JSON text (`{...}` where an object may go, `[...]` where a
 * list may) that does not parse: such a value is never meant as a plain string. */
export function parseValue(text: string, schema: ParamSchema, name: string): unknown {
  const types = acceptedTypes(schema);
  if (types.has('array')) {
    if (text.trimStart().startsWith('[')) return parseJson(text, name);
    const items = listItems(schema);
    // A list of objects has no comma-separated form: JSON text only.
    if (items !== undefined && !onlyObjects(items)) {
      return text.trim() === '' ? [] : text.split(',').map((item) => parseValue(item.trim(), items, name));
    }
  }
  if (types.has('object') && text.trimStart().startsWith('{')) return parseJson(text, name);
  const boolean = booleanWords.get(text);
  if (types.has('boolean') && boolean !== undefined) return boolean;
  if (types.has('integer') && integerText.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (types.has('number') && numberText.test(text)) return Number(text);
  return text;
}

function onlyObjects(schema: ParamSchema): boolean {
  const types = acceptedTypes(schema);
  return types.size > 0 && [...types].every((type) => type === 'object');
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${name}: not valid JSON (${(error as Error).message})`);
  }
}
