// The layout holds: src/ keeps only entry points at its root, each folder's README
// says what it may import and its code imports nothing else, no import cycle exists
// (type-only and dynamic imports included), and test/ mirrors src/ with every test
// file where `npm test` finds it.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { findCycles, importsOf } from '../support/import-graph.js';
import { repoRoot } from '../support/paths.js';

const src = join(repoRoot, 'src');
const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

/** The layer a module belongs to: a src/ folder, `generated`, or the src/ root. */
function layerOf(file: string): string {
  const path = relative(repoRoot, file).split('/');
  if (path[0] === 'generated') return 'generated';
  return path[0] === 'src' && path.length > 2 ? path[1]! : 'src';
}

interface Rules {
  folders: Set<string>;
  packages: Set<string>;
}

function rulesOf(folder: string): Rules {
  const readme = readFileSync(join(src, folder, 'README.md'), 'utf8');
  const list = (label: string): Set<string> => {
    const line = new RegExp(`^${label}: (.+)$`, 'm').exec(readme)?.[1];
    assert.ok(line, `src/${folder}/README.md has no "${label}:" line`);
    return new Set(line === 'none' ? [] : line.split(/,\s*/));
  };
  return { folders: list('May import'), packages: list('Packages') };
}

test('the root of src/ holds entry points only: at most 4 files', () => {
  const files = readdirSync(src).filter((name) => statSync(join(src, name)).isFile());
  assert.ok(files.length <= 4, `src/ holds ${files.join(', ')}`);
  assert.ok(files.includes('index.ts'));
});

test('every src/ folder has a README saying what it holds, listed in src/README.md', () => {
  const map = readFileSync(join(src, 'README.md'), 'utf8');
  for (const folder of folders) {
    const readme = readFileSync(join(src, folder, 'README.md'), 'utf8');
    assert.match(readme, new RegExp(`^# src/${folder}/\n\n\\S`), `src/${folder}/README.md opens with its name and a line on what it holds`);
    assert.ok(map.includes(`| \`${folder}/\` |`), `src/README.md does not list ${folder}/`);
  }
});

test("each folder imports only what its README allows: the folders named, its packages, Node's modules", () => {
  const problems: string[] = [];
  for (const folder of folders) {
    const rules = rulesOf(folder);
    for (const name of rules.folders) {
      if (name !== 'generated' && !folders.includes(name)) problems.push(`src/${folder}/README.md names no folder "${name}"`);
    }
    for (const file of tsFiles(join(src, folder))) {
      for (const { target } of importsOf(file)) {
        const allowed = target.startsWith('/')
          ? [folder, ...rules.folders].includes(layerOf(target))
          : target.startsWith('node:') || rules.packages.has(target);
        if (!allowed) problems.push(`${relative(repoRoot, file)} imports ${relative(repoRoot, target) || target}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('the cycle finder reports a cycle by its path, and a self-import', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c', 'd']],
    ['c', ['a']],
    ['d', []],
    ['e', ['e']],
  ]);
  assert.deepEqual(findCycles(graph).sort(), [
    ['a', 'b', 'c', 'a'],
    ['e', 'e'],
  ]);
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', []]])), []);
});

// The one exemption: generated/types/ modules refer to each other's types where VK's
// schema does (account <-> users): type-only, erased at compile time, and as
// recursive as the schema itself.
const isSchemaTypeModule = (file: string) => relative(repoRoot, file).startsWith('generated/types/');

test('no import cycle in src/ and the generated modules it reaches, type-only and dynamic imports included', () => {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const targets = importsOf(file)
      .filter((edge) => !(edge.typeOnly && isSchemaTypeModule(file) && isSchemaTypeModule(edge.target)))
      .map((edge) => edge.target)
      .filter((target) => target.startsWith('/'));
    graph.set(file, targets);
    targets.forEach(visit);
  };
  tsFiles(src).forEach(visit);
  assert.ok(graph.size > 60, `the walk read ${graph.size} modules`);
  const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(repoRoot, file)).join(' -> '));
  assert.deepEqual(cycles, []);
});

test('test/ mirrors src/, and every test file sits where `npm test` finds it (test/<folder>/<name>.test.ts)', () => {
  const testDir = join(repoRoot, 'test');
  const testFolders = readdirSync(testDir).filter((name) => statSync(join(testDir, name)).isDirectory());
  const beyondSrc = ['codegen', 'schema', 'types', 'fakes', 'support', 'layout', 'examples', 'hardening', 'package'];
  assert.deepEqual(
    testFolders.filter((name) => !folders.includes(name) && !beyondSrc.includes(name)),
    [],
    'a test folder that mirrors no src/ folder',
  );
  assert.deepEqual(
    folders.filter((name) => !testFolders.includes(name)),
    [],
    'a src/ folder without tests',
  );
  const script = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { test: string } })
    .scripts.test;
  assert.match(script, / test\/\*\/\*\.test\.ts$/);
  const misplaced = tsFiles(testDir)
    .map((file) => relative(testDir, file))
    .filter((path) => path.endsWith('.test.ts') && path.split('/').length !== 2);
  assert.deepEqual(misplaced, [], 'test files npm test would not run');
  assert.deepEqual(
    readdirSync(testDir).filter((name) => name.endsWith('.ts')),
    [],
    'files at the root of test/',
  );
});
