// Which definitions a caller sends (reachable from method params) and which VK
// sends back (reachable from responses, plus those nothing refers to, such as
// callback events). The same change breaks code on one side and not the other:
// a type that accepts less breaks callers, a field that may now be missing breaks
// readers.
import type { RawSchema } from '../../codegen/load.js';
import { refTarget } from './shapes.js';

export interface Positions {
  input: Set<string>;
  output: Set<string>;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(refTarget(value));
      else refsIn(value, found);
    }
  }
  return found;
}

function reachable(schema: RawSchema, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const definition = schema.definitions.get(name);
    if (!definition) continue;
    seen.add(name);
    queue.push(...refsIn(definition.node));
  }
  return seen;
}

export function definitionPositions(schema: RawSchema): Positions {
  const input = reachable(
    schema,
    schema.methods.flatMap((method) => refsIn(method.parameters ?? [])),
  );
  const output = reachable(
    schema,
    schema.methods.flatMap((method) => refsIn(method.responses)),
  );
  for (const name of schema.definitions.keys()) if (!input.has(name)) output.add(name);
  return { input, output };
}

/** The methods whose responses name a definition directly. */
export function responseUsers(schema: RawSchema): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const method of schema.methods) {
    for (const name of new Set(refsIn(method.responses))) users.set(name, [...(users.get(name) ?? []), method.name]);
  }
  return users;
}
