// A call's form fields read back into the values the SDK encoded them from
// (src/pipeline/encode-params.ts), by the method's generated params schema and its
// encodings: 1/0 to booleans where a boolean goes, comma-joined lists to arrays,
// integers to numbers, JSON to objects. A value they do not explain stays the string
// VK got.

/** The parts of a params schema node the decoding reads. */
interface ParamNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly items?: ParamNode;
  readonly anyOf?: readonly ParamNode[];
}

/** A param sent as JSON text, by the method table's encodings: read back with JSON.parse. */
const jsonParam: ParamNode = { type: ['object', 'array'] };

type ParamNodes = ReadonlyMap<string, ParamNode>;

const parsed = new Map<string, ParamNodes>();

/** The params schema of `method` by param name; empty for a method the schema lacks. */
async function paramNodes(method: string): Promise<ParamNodes> {
  const cached = parsed.get(method);
  if (cached !== undefined) return cached;
  const [{ paramsSchemas }, { methodInfo }] = await Promise.all([
    import('../../generated/validation/params.js'),
    import('../../generated/methods.js'),
  ]);
  const text = Object.hasOwn(paramsSchemas, method) ? paramsSchemas[method] : undefined;
  const properties = text === undefined ? {} : (JSON.parse(text) as { properties: Record<string, ParamNode> }).properties;
  const nodes = new Map(Object.entries(properties));
  const encodings = Object.hasOwn(methodInfo, method) ? methodInfo[method as keyof typeof methodInfo].encode : undefined;
  for (const [name, encoding] of Object.entries(encodings ?? {})) if (encoding === 'json') nodes.set(name, jsonParam);
  parsed.set(method, nodes);
  return nodes;
}

/** The params of a call to `method` as the SDK's caller wrote them (`access_token` and
 * `v` left out): each field decoded by its schema, fields the schema lacks as strings. */
export async function decodeForm(method: string, form: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
  const nodes = await paramNodes(method);
  const params: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(form)) {
    if (name === 'access_token' || name === 'v') continue;
    const node = nodes.get(name);
    params[name] = node === undefined ? text : decodeValue(text, node);
  }
  return params;
}

function decodeValue(text: string, node: ParamNode): unknown {
  const members = [node, ...(node.anyOf ?? [])];
  const kinds = new Set(members.flatMap(kindsOf));
  if ((kinds.has('object') || kinds.has('array')) && /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  const items = members.find((member) => member.items !== undefined)?.items;
  if (kinds.has('array') && items !== undefined) {
    return text === '' ? [] : text.split(',').map((item) => decodeValue(item, items));
  }
  if (kinds.has('boolean') && (text === '1' || text === '0')) return text === '1';
  const number = Number(text);
  if (kinds.has('integer') && /^-?\d+$/.test(text) && Number.isSafeInteger(number)) return number;
  if (kinds.has('number') && text.trim() !== '' && Number.isFinite(number)) return number;
  return text;
}

/** The JSON types a node takes: its `type`s, else those of its enum's values. */
function kindsOf(node: ParamNode): string[] {
  if (node.type !== undefined) return typeof node.type === 'string' ? [node.type] : [...node.type];
  return (node.enum ?? []).map((value) => (Number.isInteger(value) ? 'integer' : typeof value));
}
