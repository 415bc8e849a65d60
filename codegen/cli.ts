// npm run generate [-- --schema DIR] [--check]
// Reads the VK API schema (--schema, else $VK_API_SCHEMA_DIR, else
// schema/vk-api-schema/) and writes generated/, or with --check only reports
// the files that differ and exits 1.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readCorrections } from './corrections.js';
import { formatSources } from './format.js';
import { generateSources } from './generate.js';
import { pinOf } from './schema-pin.js';
import { compareOutput, writeOutput } from './write.js';

const root = resolve(import.meta.dirname, '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      schema: { type: 'string' },
      out: { type: 'string' },
      corrections: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  const schemaDir = resolve(values.schema ?? process.env.VK_API_SCHEMA_DIR ?? resolve(root, 'schema/vk-api-schema'));
  const outDir = resolve(values.out ?? resolve(root, 'generated'));
  const started = performance.now();
  const { files, model, correctionsApplied } = generateSources(
    schemaDir,
    readCorrections(resolve(values.corrections ?? resolve(root, 'schema/corrections'))),
    await pinOf(schemaDir),
  );
  const emitted = performance.now();
  const formatted = await formatSources(files, resolve(root, '.prettierrc.json'));
  const done = performance.now();
  const drift = compareOutput(outDir, formatted);
  const stale = [...drift.changed, ...drift.missing, ...drift.extra];
  const counts =
    `${model.methods.length} methods in ${model.sections.length} sections, ` +
    `${Object.values(model.schema.origins).filter((o) => o.kind === 'objects').length} objects, ` +
    `${Object.values(model.schema.origins).filter((o) => o.kind === 'responses').length} responses, ` +
    `${model.errors.length} errors, ${correctionsApplied.length} corrections -> ${formatted.size} files`;
  const timing = `emit ${Math.round(emitted - started)} ms, format ${Math.round(done - emitted)} ms`;
  if (values.check) {
    if (stale.length === 0) {
      console.log(`generated/ is up to date (${counts}; ${timing})`);
      return 0;
    }
    console.error(`generated/ is stale: ${stale.length} file(s) differ from what the generator writes:`);
    for (const path of drift.changed) console.error(`  changed  ${path}`);
    for (const path of drift.missing) console.error(`  missing  ${path}`);
    for (const path of drift.extra) console.error(`  extra    ${path}`);
    console.error('Run `npm run generate` and commit the result.');
    return 1;
  }
  writeOutput(outDir, formatted, drift);
  console.log(`${counts}; ${stale.length} file(s) written or removed; ${timing}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`generate: ${error.message}`);
    process.exit(2);
  },
);
