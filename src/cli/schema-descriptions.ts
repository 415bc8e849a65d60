// The schema's descriptions of methods and their params, for help. The generated
// data the SDK ships holds types, not prose, so they are read from a VK API schema
// folder when one is at hand: $VK_API_SCHEMA_DIR, else the package's own
// schema/vk-api-schema/ (the folder `npm run setup` fills).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MethodDescription {
  readonly description: string | undefined;
  /** By param name. */
  readonly params: ReadonlyMap<string, string>;
}

export type SectionDescriptions =
  | { readonly found: true; readonly methods: ReadonlyMap<string, MethodDescription> }
  | { readonly found: false; /** Why there are none, for the help to say. */ readonly reason: string };

interface SchemaMethods {
  methods?: readonly { name: string; description?: string; parameters?: readonly { name: string; description?: string }[] }[];
}

/** The descriptions of every method of `section` (`users`), by method name (`users.get`). */
export function sectionDescriptions(section: string, env: Readonly<Record<string, string | undefined>>): SectionDescriptions {
  const fromEnv = env['VK_API_SCHEMA_DIR'];
  const dir = fromEnv ? resolve(fromEnv) : packageSchemaDir();
  if (dir === undefined || !existsSync(join(dir, 'schema.json'))) {
    const where = fromEnv ? `no VK API schema at VK_API_SCHEMA_DIR (${dir})` : 'no VK API schema at hand';
    return { found: false, reason: `${where}; set VK_API_SCHEMA_DIR to a schema folder for descriptions` };
  }
  const file = join(dir, section, 'methods.json');
  if (!existsSync(file)) return { found: false, reason: `the schema at ${dir} has no ${section}/methods.json` };
  const { methods = [] } = JSON.parse(readFileSync(file, 'utf8')) as SchemaMethods;
  const entries = methods.map((method): [string, MethodDescription] => [
    method.name,
    {
      description: method.description,
      params: new Map((method.parameters ?? []).flatMap((p) => (p.description ? [[p.name, p.description] as const] : []))),
    },
  ]);
  return { found: true, methods: new Map(entries) };
}

/** schema/vk-api-schema/ of the package this module belongs to (found from src/ and from a build alike). */
function packageSchemaDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let parent = dirname(dir); parent !== dir; dir = parent, parent = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'vk-typed') {
      return join(dir, 'schema', 'vk-api-schema');
    }
  }
  return undefined;
}
