// Staging.install swaps every staged path in, or, when one rename fails, moves
// back what it had swapped so that the tree is as it was.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Staging } from '../../schema/stage.js';

let tree: string;
before(async () => {
  tree = await mkdtemp(join(tmpdir(), 'schema-stage-test-'));
});
after(() => rm(tree, { recursive: true, force: true }));

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

test('installs every staged path, replacing the live ones', async () => {
  await write(join(tree, 'a/old.txt'), 'old a');
  await write(join(tree, 'lock.json'), 'old lock');
  const staging = await Staging.create(tree);
  await write(staging.path('a/new.txt'), 'new a');
  await write(staging.path('lock.json'), 'new lock');
  await staging.install([
    { staged: staging.path('a'), live: join(tree, 'a') },
    { staged: staging.path('lock.json'), live: join(tree, 'lock.json') },
  ]);
  await staging.dispose();
  assert.deepEqual(await readdir(join(tree, 'a')), ['new.txt']);
  assert.equal(await readFile(join(tree, 'lock.json'), 'utf8'), 'new lock');
  assert.deepEqual((await readdir(tree)).sort(), ['a', 'lock.json']);
});

test('a rename that fails midway undoes the ones before it', async () => {
  await write(join(tree, 'b/old.txt'), 'old b');
  await write(join(tree, 'c/old.txt'), 'old c');
  const staging = await Staging.create(tree);
  await write(staging.path('b/new.txt'), 'new b');
  // Nothing staged for c: its rename fails after b was swapped and c was moved aside.
  await assert.rejects(
    staging.install([
      { staged: staging.path('b'), live: join(tree, 'b') },
      { staged: staging.path('c'), live: join(tree, 'c') },
    ]),
    { code: 'ENOENT' },
  );
  await staging.dispose();
  assert.deepEqual(await readdir(join(tree, 'b')), ['old.txt']);
  assert.deepEqual(await readdir(join(tree, 'c')), ['old.txt']);
  assert.ok(!(await readdir(tree)).some((name) => name.startsWith('.update-')));
});
