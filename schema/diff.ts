// `npm run schema:diff -- OLD_DIR NEW_DIR [--json]`: the changelog between two
// schema releases, as Markdown or as `{ "changes": [...] }`.
// `npm run schema:diff -- [OLD_DIR] NEW_DIR --check-code DIR`: also type-checks the
// code in DIR against the SDK generated from NEW_DIR and lists what would break,
// by file and line (exit code 1 when something would).
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareReleases, loadRelease } from './changelog/compare.js';
import { renderMarkdown } from './changelog/markdown.js';
import { checkCode } from './check-code.js';
import { describeFinding } from './stale-corrections.js';
import { formatDiagnostic } from './typecheck.js';

const defaultRoot = resolve(import.meta.dirname, '..');

/** A folder's name when it names the release (v5.199.93), else the path as given. */
function label(dir: string): string {
  return /^v\d+(\.\d+)+$/.test(basename(resolve(dir))) ? basename(resolve(dir)) : dir;
}

function printDiff(oldDir: string, newDir: string, json: boolean): void {
  const changes = compareReleases(loadRelease(resolve(oldDir)), loadRelease(resolve(newDir)));
  process.stdout.write(
    json ? `${JSON.stringify({ changes }, null, 2)}\n` : renderMarkdown(changes, label(oldDir), label(newDir)),
  );
}

/** Prints what would break; true when something would. */
function printCodeCheck(root: string, codeDir: string, schemaDir: string, print: (line: string) => void): boolean {
  const result = checkCode({ root, codeDir, schemaDir: resolve(schemaDir) });
  for (const finding of result.staleCorrections)
    console.error(`schema:diff: left out of the new SDK: ${describeFinding(finding)}`);
  const already = result.alreadyFailing
    ? `; ${result.alreadyFailing} diagnostics fail with today's SDK too and are not listed`
    : '';
  if (result.breaks.length === 0) {
    print(
      `${codeDir}: nothing breaks against the SDK from ${label(schemaDir)} (${result.files} files checked${already})`,
    );
    return false;
  }
  print(
    `${codeDir}: ${result.breaks.length} type errors against the SDK from ${label(schemaDir)} (${result.files} files checked${already}):`,
  );
  for (const diagnostic of result.breaks) print(`  ${formatDiagnostic(diagnostic)}`);
  return true;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'check-code': { type: 'string' },
      root: { type: 'string' },
    },
  });
  const codeDir = values['check-code'];
  if (codeDir === undefined && positionals.length !== 2) throw new Error('usage: schema:diff OLD_DIR NEW_DIR [--json]');
  if (codeDir !== undefined && (positionals.length < 1 || positionals.length > 2)) {
    throw new Error('usage: schema:diff [OLD_DIR] NEW_DIR --check-code DIR (the schema to check the code against)');
  }
  if (positionals.length === 2) printDiff(positionals[0]!, positionals[1]!, values.json);
  if (codeDir === undefined) return 0;
  // With --json, stdout carries only the JSON.
  const print = values.json ? console.error : console.log;
  return printCodeCheck(resolve(values.root ?? defaultRoot), codeDir, positionals.at(-1)!, print) ? 1 : 0;
}

// Run as a script, not when a test imports this module. realpath: import.meta.url has symlinks resolved.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`schema:diff: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
