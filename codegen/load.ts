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
  /** What the release gets wrong that loading tolerated, one line each (a section file
   * that names an older API version, a method listing an error errors.json lacks). */
  quirks: string[];
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
  const versions = new Map<string, string>();
  for (const folder of folders) {
    const methodsPath = join(dir, folder, 'methods.json');
    if (existsSync(methodsPath)) {
      const file = readJson(methodsPath);
      versions.set(`${folder}/methods.json`, file.version);
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
  const version = releaseVersion(errorsFile.version, versions);
  const quirks = [...versions]
    .filter(([, v]) => v !== version)
    .map(([file, v]) => `${file} says API version ${v}, the release ${version}: its methods are generated as ${version} ones`);
  quirks.push(...dropUnknownErrors(methods, errorsFile.errors));
  return {
    version,
    methods: methods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    definitions,
    errors: errorsFile.errors,
    subcodes: errorsFile.definitions?.subcodes ?? {},
    quirks,
  };
}

/**
 * The API version is the one errors.json (the release-wide file) names. Real 5.199
 * releases carry a straggler section file that still says 5.131; that is tolerated,
 * but a release where most section files disagree is refused.
 */
function releaseVersion(declared: unknown, sectionVersions: Map<string, string>): string {
  if (typeof declared !== 'string') throw new Error('errors.json names no API version');
  const disagreeing = [...sectionVersions].filter(([, v]) => v !== declared);
  if (disagreeing.length * 2 > sectionVersions.size) {
    const named = disagreeing.map(([file, v]) => `${file} ${v}`).join(', ');
    throw new Error(`schema files disagree on the API version: errors.json says ${declared}, but ${named}`);
  }
  return declared;
}

/** A method may list an error errors.json does not define (v5.199.91's asr.*): the
 * SDK cannot give it a code, so it is left out of the method's errors. */
function dropUnknownErrors(methods: RawMethod[], errors: Record<string, RawError>): string[] {
  const quirks: string[] = [];
  for (const method of methods) {
    if (!method.errors) continue;
    method.errors = method.errors.filter(({ $ref }) => {
      const name = $ref.slice($ref.lastIndexOf('/') + 1);
      if (Object.hasOwn(errors, name)) return true;
      quirks.push(`${method.name} lists error ${name}, which errors.json does not define: left out`);
      return false;
    });
  }
  return quirks;
}
