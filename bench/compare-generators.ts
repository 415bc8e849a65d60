// Generation time on the pinned schema, side by side with VK's official generator
// (@vkontakte/api-schema-typescript-generator), each run as its users run it: a fresh
// process that reads the schema and writes its whole output into an empty folder
// (ours: `tsx codegen/cli.ts --out`; theirs: its bin with `--methods '*'`), runs
// interleaved. Baselines, same run: bare `node` and bare `tsx` start-up.
//
// The official generator reads one methods.json, objects.json and responses.json, the
// schema's layout before it was split by section; the pinned release is split, so its
// sections are merged into that layout once, untimed (bench/.work/official-schema/).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { runIfMain } from './lib/main.js';
import { expectSuccess, repoRoot, timeNode, tsxCli, type TimedRun } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { schemaDir } from './lib/schema-dir.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

const workDir = resolve(repoRoot, 'bench/.work');
const officialName = '@vkontakte/api-schema-typescript-generator';

function officialGenerator(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve(`${officialName}/package.json`);
  const manifest = require(manifestPath) as { version: string; bin: Record<string, string> };
  return { bin: resolve(dirname(manifestPath), Object.values(manifest.bin)[0]!), version: manifest.version };
}

interface SchemaFile {
  version?: string;
  methods?: unknown[];
  definitions?: Record<string, unknown>;
}

/** The sectioned schema in the one-file-per-kind layout the official generator reads. */
function mergeForOfficial(schema: string): string {
  const out = resolve(workDir, 'official-schema');
  mkdirSync(out, { recursive: true });
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as SchemaFile;
  const sections = readdirSync(schema).filter((name) => existsSync(join(schema, name, 'methods.json')) || existsSync(join(schema, name, 'objects.json')));
  const gather = (file: string) => sections.filter((s) => existsSync(join(schema, s, file))).map((s) => read(join(schema, s, file)));
  const methodFiles = gather('methods.json');
  const merged = {
    'methods.json': { version: methodFiles[0]?.version, methods: methodFiles.flatMap((f) => f.methods ?? []) },
    'objects.json': { definitions: Object.assign({}, ...gather('objects.json').map((f) => f.definitions)) as object },
    'responses.json': { definitions: Object.assign({}, ...gather('responses.json').map((f) => f.definitions)) as object },
    'errors.json': read(join(schema, 'errors.json')),
  };
  for (const [name, content] of Object.entries(merged)) writeFileSync(join(out, name), JSON.stringify(content));
  console.log(
    `merged ${sections.length} sections for the official generator: ${merged['methods.json'].methods.length} methods, ` +
      `${Object.keys(merged['objects.json'].definitions).length} objects, ${Object.keys(merged['responses.json'].definitions).length} responses`,
  );
  return out;
}

function folderSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) [files, bytes] = [files + 1, bytes + stat.size];
  }
  return { files, bytes };
}

export async function benchGenerators(): Promise<SummaryRow[]> {
  const schema = schemaDir();
  const runs = runsFromEnv(3);
  const official = officialGenerator();
  console.log(`== generators: ours and ${officialName} ${official.version} on ${schema}\n${machineLine()}\n`);
  const officialSchema = mergeForOfficial(schema);
  const oursOut = resolve(workDir, 'generated-ours');
  const officialOut = resolve(workDir, 'generated-official');

  const measures: Record<string, () => TimedRun> = {
    "node start-up (node -e '')": () => expectSuccess(timeNode(['-e', '']), 'node -e'),
    "tsx start-up (tsx -e '')": () => expectSuccess(timeNode([tsxCli, '-e', '']), 'tsx -e'),
    'vk-typed (codegen/cli.ts --out)': () => {
      rmSync(oursOut, { recursive: true, force: true });
      return expectSuccess(timeNode([tsxCli, 'codegen/cli.ts', '--schema', schema, '--out', oursOut]), 'codegen/cli.ts');
    },
    [`official ${official.version} (--methods '*')`]: () =>
      // It clears --outDir itself, as part of its run.
      expectSuccess(
        timeNode([official.bin, '--schemaDir', officialSchema, '--outDir', officialOut, '--methods', '*']),
        officialName,
      ),
  };
  const samples = new Map(Object.keys(measures).map((name) => [name, [] as TimedRun[]]));
  for (let run = 0; run < runs; run += 1) {
    for (const [name, measure] of Object.entries(measures)) samples.get(name)!.push(measure());
  }
  const medians = [...samples].map(([name, results]) => [name, spreadOf(results.map((r) => r.ms))] as const);
  for (const [name, spread] of medians) console.log(`${name.padEnd(36)} ${formatSpread(spread, runs)}`);
  const [, , ours, theirs] = medians.map(([, spread]) => spread.median) as [number, number, number, number];
  const split = /emit (\d+) ms, format (\d+) ms/.exec(samples.get('vk-typed (codegen/cli.ts --out)')![0]!.stdout);
  if (split) console.log(`  ours, as its CLI reports: emit ${split[1]} ms, format ${split[2]} ms`);
  const oursSize = folderSize(oursOut);
  const theirsSize = folderSize(officialOut);
  console.log(
    `output: ours ${oursSize.files} files, ${(oursSize.bytes / 1e6).toFixed(1)} MB (types, section classes, method table, validation schemas); ` +
      `official ${theirsSize.files} files, ${(theirsSize.bytes / 1e6).toFixed(1)} MB (types only)\n`,
  );
  return [
    {
      bench: 'generators',
      measured: 'node / tsx start-up (baselines)',
      median: `${formatMs(medians[0]![1].median)} / ${formatMs(medians[1]![1].median)}`,
      against: '',
    },
    {
      bench: 'generators',
      measured: `official generator ${official.version}, whole schema`,
      median: formatMs(theirs),
      against: `${theirsSize.files} files, ${(theirsSize.bytes / 1e6).toFixed(1)} MB: types only`,
    },
    {
      bench: 'generators',
      measured: 'vk-typed codegen, whole schema',
      median: formatMs(ours),
      against: `${(ours / theirs).toFixed(2)}x the official; ${oursSize.files} files, ${(oursSize.bytes / 1e6).toFixed(1)} MB`,
    },
  ];
}

runIfMain(import.meta.url, benchGenerators);
