// Reads a VK API schema folder as it is published upstream: one folder per
// section with methods.json / objects.json / responses.json, plus errors.json.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RawError, RawMethod, SchemaNode } from './schema-types.js';

export interface RawSchema {
  /** The API version the schema describes, e.g. "5.199". */
  version: string;
  methods: RawMethod[];
  /** Definition name -> node, with the folder and file it came from. */
  definitions: Map<string, RawDefinition>;
  errors: Record<string, RawError>;
  subcodes: Record<string, { subcode: number; description?: string }>;
}

export interface RawDefinition {
  name: string;
  folder: string;
  kind: 'objects' | 'responses';
  node: SchemaNode;
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read schema file ${path}: ${(error as Error).message}`);
  }
}

export function loadSchema(dir: string): RawSchema {
  if (!existsSync(join(dir, 'errors.json'))) {
    throw new Error(
      `no VK API schema in ${dir} (errors.json is missing); run \`npm run schema:fetch\` or pass --schema DIR`,
    );
  }
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const methods: RawMethod[] = [];
  const definitions = new Map<string, RawDefinition>();
  const versions = new Set<string>();
  for (const folder of folders) {
    const methodsPath = join(dir, folder, 'methods.json');
    if (existsSync(methodsPath)) {
      const file = readJson(methodsPath);
      versions.add(file.version);
      methods.push(...(file.methods as RawMethod[]));
    }
    for (const kind of ['objects', 'responses'] as const) {
      const path = join(dir, folder, `${kind}.json`);
      if (!existsSync(path)) continue;
      for (const [name, node] of Object.entries(readJson(path).definitions ?? {})) {
        const seen = definitions.get(name);
        if (seen) throw new Error(`definition ${name} appears twice: ${seen.folder}/${seen.kind}.json and ${folder}/${kind}.json`);
        definitions.set(name, { name, folder, kind, node: node as SchemaNode });
      }
    }
  }
  const errorsFile = readJson(join(dir, 'errors.json'));
  versions.add(errorsFile.version);
  if (versions.size !== 1) throw new Error(`schema files disagree on the API version: ${[...versions].join(', ')}`);
  return {
    version: [...versions][0]!,
    methods: methods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    definitions,
    errors: errorsFile.errors,
    subcodes: errorsFile.definitions?.subcodes ?? {},
  };
}
