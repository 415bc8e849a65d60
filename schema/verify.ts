// Checks that a folder is a well-formed VK API schema before anything is built
// from it: every JSON file parses, every `$ref` resolves, and the release's own
// meta-schemas (schema.json for the sections, schema-errors.json for errors.json)
// validate its files. Problems that real releases ship and the generator
// tolerates are warnings; anything else is an error, naming the file.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface Verdict {
  /** Each refuses the folder. */
  errors: string[];
  /** Each is reported; the folder is still usable. */
  warnings: string[];
}

/** At most this many meta-schema problems are listed per file; the rest are counted. */
const listedPerFile = 10;

type Json = unknown;

interface Documents {
  parsed: Map<string, Json>;
  /** Files that are not JSON: refs into them are not reported again. */
  broken: Set<string>;
}

function parseAll(dir: string, files: string[], verdict: Verdict): Documents {
  const documents: Documents = { parsed: new Map(), broken: new Set() };
  for (const file of files.filter((path) => path.endsWith('.json'))) {
    try {
      documents.parsed.set(file, JSON.parse(readFileSync(join(dir, file), 'utf8')));
    } catch (error) {
      documents.broken.add(file);
      verdict.errors.push(`${file}: not valid JSON: ${(error as Error).message}`);
    }
  }
  return documents;
}

function resolvePointer(document: Json, pointer: string): Json {
  let at = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, Json>)[key];
  }
  return at;
}

/**
 * Real releases name subcodes errors.json does not define (two dangle in
 * v5.199.93) and methods that list errors it lacks (asr.* in v5.199.91): the
 * generator leaves those out (codegen/load.ts says which), so they only warn.
 */
function isErrorListing(location: string[]): boolean {
  const parent = location.at(-2);
  return parent === 'subcodes' || (parent === 'errors' && location[0] === 'methods');
}

function checkRefs({ parsed: documents, broken }: Documents, verdict: Verdict): void {
  const visit = (file: string, node: Json, location: string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(file, item, [...location, String(index)]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref' || typeof value !== 'string') {
        visit(file, value, [...location, key]);
        continue;
      }
      const [target = '', pointer = ''] = value.split('#');
      const targetFile = target === '' ? file : posix.normalize(posix.join(posix.dirname(file), target));
      if (broken.has(targetFile)) continue;
      const problem = !documents.has(targetFile)
        ? `no file ${targetFile} in the release`
        : resolvePointer(documents.get(targetFile), pointer) === undefined
          ? `${targetFile} has nothing at #${pointer}`
          : undefined;
      if (!problem) continue;
      if (isErrorListing(location)) {
        if (location[0] !== 'methods')
          verdict.warnings.push(`${file}: $ref ${value} does not resolve; the SDK leaves that subcode out`);
      } else {
        verdict.errors.push(`${file}: $ref ${value} does not resolve: ${problem}`);
      }
    }
  };
  for (const [file, document] of documents) visit(file, document, []);
}

/** A keyword the meta-schema does not list, or `[]` written for an empty object: the generator reads past both. */
function tolerated(error: ErrorObject): string | undefined {
  if (error.keyword === 'additionalProperties') {
    return `keyword ${(error.params as { additionalProperty: string }).additionalProperty} at ${error.instancePath || '/'} is not in the meta-schema; the generator ignores it`;
  }
  if (
    error.keyword === 'type' &&
    (error.params as { type: string }).type === 'object' &&
    Array.isArray(error.data) &&
    error.data.length === 0
  ) {
    return `${error.instancePath} is [] where the meta-schema wants an object; read as empty`;
  }
  return undefined;
}

function validateFile(validate: ValidateFunction, file: string, document: Json, verdict: Verdict): void {
  if (validate(document)) return;
  // Branches of a oneOf each report their own failure: one line per place is enough.
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const error of validate.errors ?? []) {
    const warning = tolerated(error);
    if (warning) {
      verdict.warnings.push(`${file}: ${warning}`);
      continue;
    }
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || seen.has(error.instancePath)) continue;
    seen.add(error.instancePath);
    problems.push(`${error.instancePath || '/'} ${error.message}`);
  }
  const shown = problems.slice(0, listedPerFile);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  if (shown.length > 0) verdict.errors.push(`${file}: does not match the meta-schema: ${shown.join('; ')}${more}`);
}

function checkMetaSchemas({ parsed: documents }: Documents, verdict: Verdict): void {
  const pairs: [meta: string, files: string[]][] = [
    ['schema.json', [...documents.keys()].filter((file) => file.includes('/'))],
    ['schema-errors.json', ['errors.json']],
  ];
  for (const [meta, files] of pairs) {
    const schema = documents.get(meta);
    if (schema === undefined) {
      verdict.errors.push(`${meta}: the meta-schema is missing, so ${files.length} file(s) cannot be checked`);
      continue;
    }
    // The meta-schemas use keywords of their own (extends) and formats ajv does not
    // know (uri-reference): strict mode would refuse to compile them.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, verbose: true });
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(schema as object);
    } catch (error) {
      verdict.errors.push(`${meta}: not a usable meta-schema: ${(error as Error).message}`);
      continue;
    }
    for (const file of files) {
      if (documents.has(file)) validateFile(validate, file, documents.get(file), verdict);
    }
  }
}

function checkLayout(files: string[], verdict: Verdict): void {
  if (!files.includes('errors.json')) verdict.errors.push('errors.json: missing; every release has one');
  const sectionFiles = new Set(['methods.json', 'objects.json', 'responses.json']);
  for (const file of files) {
    const parts = file.split('/');
    if (parts.length === 2 && !sectionFiles.has(parts[1]!))
      verdict.warnings.push(`${file}: not a methods, objects or responses file; the generator does not read it`);
    if (parts.length > 2)
      verdict.warnings.push(`${file}: nested below a section folder; the generator does not read it`);
  }
}

/** Verifies the listed files (relative paths) of the schema folder dir. */
export function verifySchema(dir: string, files: string[]): Verdict {
  const verdict: Verdict = { errors: [], warnings: [] };
  checkLayout(files, verdict);
  const documents = parseAll(dir, files, verdict);
  checkRefs(documents, verdict);
  checkMetaSchemas(documents, verdict);
  return verdict;
}
