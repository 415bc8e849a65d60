// Child process of bench/generate.ts: json-schema-to-typescript compiling ONE section's
// object definitions (argv[2], e.g. users/objects.json) with its cross-file refs
// resolved from the schema folder. Prints its in-process compile time as JSON.
import { basename, dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileFromFile } from 'json-schema-to-typescript';

const [schemaFile] = process.argv.slice(2);
if (schemaFile === undefined) throw new Error('usage: jstt-one-section.ts <schema>/<section>/objects.json');

const started = performance.now();
const source = await compileFromFile(resolve(schemaFile), {
  cwd: dirname(resolve(schemaFile)),
  declareExternallyReferenced: true,
  // objects.json is only `definitions` with no root type: without this nothing is emitted.
  unreachableDefinitions: true,
  bannerComment: '',
});
const compileMs = performance.now() - started;
const declarations = source.match(/^export (interface|type) /gm)?.length ?? 0;
console.log(JSON.stringify({ compileMs, declarations, section: basename(dirname(schemaFile)) }));
