// `npm run schema:update -- --to <tag|commit|DIR>`: moves the tree to another
// release of the VK API schema in one step. The release is fetched, verified
// (files parse, $refs resolve, the meta-schemas validate, hashes match a lock
// that pins it), checked against the project's corrections, generated from and
// type-checked, all in a staging folder; only when every step has passed are
// schema/vk-api-schema/, schema/lock.json and generated/ swapped in. The
// changelog against the release installed before is printed.
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSources } from '../codegen/format.js';
import { generateSources } from '../codegen/generate.js';
import { readCorrections } from '../codegen/corrections.js';
import { compareOutput, writeOutput } from '../codegen/write.js';
import type { SchemaPin } from '../codegen/schema-pin.js';
import type { Change } from './changelog/change.js';
import { compareReleases, loadRelease } from './changelog/compare.js';
import { renderMarkdown } from './changelog/markdown.js';
import { findProblems, hashFolder } from './lock.js';
import { lockText, readLockFile } from './lock-file.js';
import { openRelease, releaseFiles } from './release.js';
import { expectedLock, releasePin, UpdateRefused } from './pin.js';
import { Staging, SwapFailed } from './stage.js';
import { describeFinding, findStaleCorrections } from './stale-corrections.js';
import { checkFiles, compilerOptions, formatDiagnostic, introduced, sourceFiles } from './typecheck.js';
import { verifySchema } from './verify.js';

export interface UpdateOptions {
  /** The tree to update: it holds schema/, generated/, src/ (default: this repository). */
  root: string;
  /** A tag or commit of the upstream repository, or a folder holding a release. */
  to: string;
  /** The release's tag, when `to` does not say (a commit, a folder not named after its tag). */
  tag?: string;
  /** The release's commit, when `to` does not say (a folder). */
  commit?: string;
  /** A lock the release must match file by file (e.g. a lock.json from a pull request). */
  lock?: string;
  /** Download the tarball from here instead of codeload.github.com. */
  url?: string;
  /** Run every step, but change nothing. */
  dryRun?: boolean;
  /** Type-check src/ against the new generated/ before swapping (default true). */
  typecheck?: boolean;
  /** Progress and warnings, one line each. */
  log?: (line: string) => void;
}

export { UpdateRefused } from './pin.js';

export interface UpdateResult {
  from: SchemaPin;
  to: SchemaPin;
  /** The changelog; empty when the tree had no installed schema to compare with. */
  changes: Change[];
  markdown: string;
  warnings: string[];
  /** Files of generated/ written or removed. */
  generatedChanges: number;
  installed: boolean;
}

const defaultRoot = resolve(import.meta.dirname, '..');

interface Tree {
  root: string;
  schema: string;
  lock: string;
  generated: string;
  corrections: string;
}

function treeAt(root: string): Tree {
  return {
    root,
    schema: join(root, 'schema/vk-api-schema'),
    lock: join(root, 'schema/lock.json'),
    generated: join(root, 'generated'),
    corrections: join(root, 'schema/corrections'),
  };
}

async function copyRelease(source: string, files: string[], dest: string): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(dest, file)), { recursive: true });
    // Fresh files with default permissions (copyFile would keep the mode): the source may be read-only (../shared is).
    await writeFile(join(dest, file), await readFile(join(source, file)));
  }
}

/**
 * src/ and the new generated/ must compile together, or the update would break the
 * tree. Errors the tree has already (someone's work in progress) are not the
 * update's: they are looked up, against generated/ on disk, only when there are any.
 */
function typecheckTree(tree: Tree, generated: ReadonlyMap<string, string>): string[] {
  const sdk = [...generated.keys()].filter((path) => path.endsWith('.ts')).map((path) => join(tree.generated, path));
  const check = { root: tree.root, options: compilerOptions(join(tree.root, 'tsconfig.json')), cache: new Map() };
  const src = sourceFiles(join(tree.root, 'src'));
  let diagnostics = checkFiles({ ...check, files: [...src, ...sdk], generated });
  if (diagnostics.length > 0)
    diagnostics = introduced(diagnostics, checkFiles({ ...check, files: [...src, ...sourceFiles(tree.generated)] }));
  const shown = diagnostics
    .slice(0, 20)
    .map((d) => `does not compile with the new generated/: ${formatDiagnostic(d, tree.root)}`);
  if (diagnostics.length > shown.length) shown.push(`and ${diagnostics.length - shown.length} more type errors`);
  return shown;
}

export async function updateSchema(options: UpdateOptions): Promise<UpdateResult> {
  const log = options.log ?? (() => {});
  const tree = treeAt(resolve(options.root));
  const current = await readLockFile(tree.lock);
  const given = options.lock ? await readLockFile(resolve(options.lock)) : undefined;
  const source = await openRelease(options.to, current.upstream, options.url);
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    log(`warning: ${line}`);
  };
  let staging: Staging | undefined;
  try {
    staging = await Staging.create(join(tree.root, 'schema'));
    const pin = releasePin(source, options, current, given);
    const { files, ignored } = await releaseFiles(source.folder);
    if (ignored.length > 0) log(`not part of the schema, left out: ${ignored.join(', ')}`);
    const stagedSchema = staging.path('vk-api-schema');
    await copyRelease(source.folder, files, stagedSchema);
    const hashes = await hashFolder(stagedSchema);

    const expected = expectedLock(pin, current, given, tree.lock, options.lock);
    if (expected) {
      const problems = findProblems(expected.lock, hashes);
      if (problems.length > 0)
        throw new UpdateRefused(
          source.origin,
          problems.map((p) => `${p} (against ${expected.path})`),
        );
    }
    const verdict = verifySchema(stagedSchema, files);
    verdict.warnings.forEach(warn);
    if (verdict.errors.length > 0) throw new UpdateRefused(source.origin, verdict.errors);
    log(`verified ${files.length} files of ${pin.upstream} ${pin.tag}`);

    const release = loadRelease(stagedSchema);
    release.schema.quirks.forEach(warn);
    const stale = findStaleCorrections(stagedSchema, tree.corrections);
    if (stale.length > 0) throw new UpdateRefused(source.origin, stale.map(describeFinding));

    const { files: sources } = generateSources(stagedSchema, readCorrections(tree.corrections), pin);
    const formatted = await formatSources(sources, join(tree.root, '.prettierrc.json'));
    const stagedGenerated = staging.path('generated');
    writeOutput(stagedGenerated, formatted, compareOutput(stagedGenerated, formatted));
    const drift = compareOutput(tree.generated, formatted);
    log(
      `generated ${formatted.size} files (${drift.changed.length} changed, ${drift.missing.length} new, ${drift.extra.length} removed)`,
    );
    if (options.typecheck ?? true) {
      const problems = typecheckTree(tree, formatted);
      if (problems.length > 0) throw new UpdateRefused(source.origin, problems);
      log('src/ compiles with the new generated/');
    }

    const previous = existsSync(tree.schema) ? loadRelease(tree.schema) : undefined;
    if (!previous)
      log(`no schema installed in ${tree.schema} to compare with: no changelog (run npm run schema:fetch first)`);
    const changes = previous ? compareReleases(previous, release) : [];
    await writeFile(staging.path('lock.json'), lockText(pin, hashes));

    if (!options.dryRun) {
      await staging.install([
        { staged: stagedSchema, live: tree.schema },
        { staged: staging.path('lock.json'), live: tree.lock },
        { staged: stagedGenerated, live: tree.generated },
      ]);
    }
    const from: SchemaPin = { upstream: current.upstream, tag: current.tag, commit: current.commit };
    return {
      from,
      to: pin,
      changes,
      markdown: previous ? renderMarkdown(changes, from.tag, pin.tag) : '',
      warnings,
      generatedChanges: drift.changed.length + drift.missing.length + drift.extra.length,
      installed: !options.dryRun,
    };
  } catch (error) {
    // Whatever failed (the generator, a corrections file), the swap did not happen or was undone.
    if (error instanceof UpdateRefused || error instanceof SwapFailed) throw error;
    throw new UpdateRefused(source.origin, [(error as Error).message]);
  } finally {
    await staging?.dispose();
    await source.cleanup();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      root: { type: 'string' },
      tag: { type: 'string' },
      commit: { type: 'string' },
      lock: { type: 'string' },
      url: { type: 'string' },
      changelog: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      'skip-typecheck': { type: 'boolean', default: false },
    },
  });
  if (!values.to) throw new Error('--to <tag|commit|DIR> is required');
  const result = await updateSchema({
    root: values.root ?? defaultRoot,
    to: values.to,
    tag: values.tag,
    commit: values.commit,
    lock: values.lock,
    url: values.url,
    dryRun: values['dry-run'],
    typecheck: !values['skip-typecheck'],
    log: (line) => console.error(`schema:update: ${line}`),
  });
  if (values.changelog && result.markdown) await writeFile(resolve(values.changelog), result.markdown);
  process.stdout.write(values.json ? `${JSON.stringify({ changes: result.changes }, null, 2)}\n` : result.markdown);
  const breaking = result.changes.filter((c) => c.breaking).length;
  const verb = result.installed ? 'updated' : 'would update (dry run, nothing changed)';
  console.error(
    `schema:update: ${verb} ${result.from.tag} -> ${result.to.tag}: ${result.changes.length} changes (${breaking} breaking), ` +
      `${result.generatedChanges} files of generated/ changed, ${result.warnings.length} warnings`,
  );
}

// Run as a script, not when the tests import updateSchema. realpath: import.meta.url has symlinks resolved.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(`schema:update: ${error.message}`);
    process.exitCode = 1;
  });
}
