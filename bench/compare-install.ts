// What installing and loading each SDK costs, with the packages as users get them
// (bench/lib/packed.ts): the node_modules/ that `npm install <sdk>` leaves in a fresh
// project (bytes, disk use, packages, the largest), and the time a fresh `node` takes
// to load the package from that project, by `import` and by `require`. Baseline, same
// run and interleaved: bare `node`. Target (issue 15): installed size at most vk-io's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIfMain } from './lib/main.js';
import { formatMegabytes, installedSize, packedPackages, type InstalledPackage, type InstalledSize } from './lib/packed.js';
import { expectSuccess, timeNode } from './lib/processes.js';
import { machineLine, type SummaryRow } from './lib/report.js';
import { formatMs, formatSpread, runsFromEnv, spreadOf } from './lib/stats.js';

function printSize(sdk: InstalledPackage, size: InstalledSize): void {
  const largest = size.largest.map((each) => `${each.name} ${formatMegabytes(each.bytes)}`).join(', ');
  console.log(
    `${`${sdk.name} ${sdk.version}`.padEnd(16)} ${formatMegabytes(size.bytes)} in ${size.packages} packages ` +
      `(${formatMegabytes(size.diskBytes)} on disk); largest: ${largest}`,
  );
}

function sizeRow(sdk: InstalledPackage, size: InstalledSize, against = ''): SummaryRow {
  return {
    bench: 'install',
    measured: `installed size, ${sdk.name} ${sdk.version}`,
    median: formatMegabytes(size.bytes),
    against: `${size.packages} packages, ${formatMegabytes(size.diskBytes)} on disk${against}`,
  };
}

/** Whether the package's `exports` give `require` something to load. */
function hasRequire(sdk: InstalledPackage): boolean {
  const manifest = JSON.parse(readFileSync(join(sdk.packageDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
    main?: string;
  };
  const root = manifest.exports?.['.'];
  return root === undefined ? manifest.main !== undefined : typeof root === 'object' && root !== null && 'require' in root;
}

export async function benchInstall(): Promise<SummaryRow[]> {
  console.log(`== install: npm install <sdk> in a fresh project, and loading it from there\n${machineLine()}\n`);
  const { vkTyped, vkIo } = packedPackages();
  const [theirs, ours] = [installedSize(vkIo.projectDir), installedSize(vkTyped.projectDir)];
  printSize(vkIo, theirs);
  printSize(vkTyped, ours);
  // The issue's figures are disk use (du); bytes are what npm reports. Both are told.
  const verdict = (measure: 'bytes' | 'diskBytes') => (ours[measure] <= theirs[measure] ? 'meets' : 'misses');
  const verdicts = `${verdict('bytes')} in bytes, ${verdict('diskBytes')} on disk`;
  console.log(`target: vk-typed's installed size at most vk-io's: ${verdicts}\n`);
  const sizeRows = [sizeRow(vkIo, theirs), sizeRow(vkTyped, ours, `; target <= vk-io's: ${verdicts}`)];

  const loads: [string, string[], string][] = [['bare node', ['-e', ''], vkTyped.projectDir]];
  for (const sdk of [vkTyped, vkIo]) {
    loads.push([`import ${sdk.name}`, ['--input-type=module', '-e', `await import(${JSON.stringify(sdk.name)});`], sdk.projectDir]);
    if (hasRequire(sdk)) loads.push([`require ${sdk.name}`, ['-e', `require(${JSON.stringify(sdk.name)});`], sdk.projectDir]);
  }
  const runs = runsFromEnv(15);
  const samples = loads.map(() => [] as number[]);
  for (let run = 0; run < runs; run += 1) {
    loads.forEach(([what, args, cwd], i) => samples[i]!.push(expectSuccess(timeNode(args, cwd), what).ms));
  }
  const medians = new Map(loads.map(([what], i) => [what, spreadOf(samples[i]!)] as const));
  for (const [what, spread] of medians) console.log(`${what.padEnd(17)} ${formatSpread(spread, runs)}`);
  console.log();
  const bare = medians.get('bare node')!.median;
  const loadRows = [...medians]
    .filter(([what]) => what !== 'bare node')
    .map(([what, spread]) => ({
      bench: 'install',
      measured: `${what} (fresh node)`,
      median: formatMs(spread.median),
      against: `bare node ${formatMs(bare)}: +${formatMs(spread.median - bare)}`,
    }));
  return [...sizeRows, ...loadRows];
}

runIfMain(import.meta.url, benchInstall);
