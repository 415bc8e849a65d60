// `vk-typed/redis` is an entry of its own, and `redis` an optional peer dependency:
// importing the package root never loads either, and importing `vk-typed/redis`
// loads `redis` only when a store makes its own client from a URL.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadedAtImport } from '../support/import-graph.js';
import { repoRoot } from '../support/paths.js';

test('importing the package root loads neither src/redis/ nor the redis package', () => {
  const loaded = [...loadedAtImport(join(repoRoot, 'src/index.ts'))];
  assert.deepEqual(
    loaded.filter((module) => module === 'redis' || module.includes('/src/redis/')),
    [],
  );
});

test('importing vk-typed/redis does not load the redis package either (a store loads it for a url)', () => {
  const loaded = loadedAtImport(join(repoRoot, 'src/redis/index.ts'));
  assert.ok(!loaded.has('redis'));
});

test('redis is an optional peer dependency, and vk-typed/redis an export of the package', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    dependencies?: Record<string, string>;
    exports: Record<string, { import?: { types?: string; default?: string } }>;
  };
  assert.ok(manifest.peerDependencies?.['redis'], 'a peer dependency');
  assert.equal(manifest.peerDependenciesMeta?.['redis']?.optional, true);
  assert.equal(manifest.dependencies?.['redis'], undefined, 'never a dependency everyone installs');
  assert.deepEqual(Object.keys(manifest.exports['./redis']?.import ?? {}), ['types', 'default'], 'types first');
  assert.equal(manifest.exports['./redis']?.import?.default, './dist/src/redis/index.js');
});
