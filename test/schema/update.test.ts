// schema:update on a throwaway copy of the tree (never the working tree): to
// v5.199.91 and back with the right lock, generated/ and changelog each way and
// generated/ byte-identical after the round trip; a corrupted release or stale
// corrections refused, naming the file, with nothing in the tree changed; a
// release downloaded by tag pinned by the commit in its tarball.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { Pax, c as createTar } from 'tar';
import { readCorrections } from '../../codegen/corrections.js';
import { formatSources } from '../../codegen/format.js';
import { generateSources } from '../../codegen/generate.js';
import { compareOutput } from '../../codegen/write.js';
import { compareReleases, loadRelease } from '../../schema/changelog/compare.js';
import { renderMarkdown } from '../../schema/changelog/markdown.js';
import { hashFolder, type SchemaLock } from '../../schema/lock.js';
import { readLockFile } from '../../schema/lock-file.js';
import { updateSchema } from '../../schema/update.js';
import {
  copyRelease,
  copySchemaTree,
  historyRelease,
  pinnedRelease,
  snapshot,
  type SchemaTree,
} from '../fakes/schema-tree.js';
import { repoRoot } from '../support/paths.js';

let tree: SchemaTree;
/** The tree's lock as copied: the pinned release v5.199.93. */
let pinned: SchemaLock;
/** ../shared records no commit for v5.199.91 and a folder carries none: the test names one. */
const commit91 = '0123456789abcdef0123456789abcdef01234567';

before(async () => {
  tree = await copySchemaTree();
  pinned = await readLockFile(join(tree.root, 'schema/lock.json'));
  // generated/ as the generator writes it from this tree (the working tree's copy may be mid-edit).
  await updateSchema({ root: tree.root, to: pinnedRelease, tag: pinned.tag, commit: pinned.commit, typecheck: false });
});

after(() => tree?.dispose());

function runUpdate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(repoRoot, 'schema/update.ts');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, '--root', tree.root, ...args],
      { cwd: repoRoot, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** What `npm run generate -- --check` would say of the tree: the files that differ. */
async function staleGenerated(): Promise<string[]> {
  const lock = await readLockFile(join(tree.root, 'schema/lock.json'));
  const schemaDir = join(tree.root, 'schema/vk-api-schema');
  const { files } = generateSources(schemaDir, readCorrections(join(tree.root, 'schema/corrections')), lock);
  const drift = compareOutput(
    join(tree.root, 'generated'),
    await formatSources(files, join(tree.root, '.prettierrc.json')),
  );
  return [...drift.changed, ...drift.missing, ...drift.extra];
}

/** The options that name a folder as the pinned release, v5.199.93. */
function toPinned(folder: string): string[] {
  return ['--to', folder, '--tag', pinned.tag, '--commit', pinned.commit];
}

async function assertNothingLeftBehind(): Promise<void> {
  assert.deepEqual((await readdir(join(tree.root, 'schema'))).sort(), ['corrections', 'lock.json', 'vk-api-schema']);
}

test('update to v5.199.91 and back: lock, generated/ and changelog right both ways, generated/ byte-identical after', async () => {
  const before = await snapshot(tree.root);
  const release91 = historyRelease('v5.199.91');

  const forward = await runUpdate('--to', release91, '--commit', commit91);
  assert.equal(forward.code, 0, forward.stderr);
  const lock = await readLockFile(join(tree.root, 'schema/lock.json'));
  assert.deepEqual(lock, {
    upstream: pinned.upstream,
    tag: 'v5.199.91',
    commit: commit91,
    files: Object.fromEntries(await hashFolder(release91)),
  });
  assert.deepEqual(Object.fromEntries(await hashFolder(join(tree.root, 'schema/vk-api-schema'))), lock.files);
  assert.equal(
    forward.stdout,
    renderMarkdown(compareReleases(loadRelease(pinnedRelease), loadRelease(release91)), pinned.tag, 'v5.199.91'),
  );
  assert.match(
    forward.stdout,
    /^## VK API schema: v5\.199\.93 -> v5\.199\.91\n\n50 changes, 0 of them breaking: 5 sections added, 9 methods added, 36 objects added\.\n/,
  );
  assert.match(forward.stdout, /\n- `adsweb\.getSites`\n/);
  assert.match(forward.stderr, /warning: adsweb\/methods\.json says API version 5\.131, the release 5\.199/);
  assert.match(forward.stderr, /src\/ compiles with the new generated\//);
  assert.deepEqual(await staleGenerated(), []);
  const readme = await readFile(join(tree.root, 'generated/README.md'), 'utf8');
  assert.ok(readme.includes(`${pinned.upstream} v5.199.91 (commit ${commit91})`));
  assert.ok((await readdir(join(tree.root, 'generated/sections'))).includes('adsweb.ts'));
  await assertNothingLeftBehind();

  const back = await runUpdate(...toPinned(pinnedRelease), '--skip-typecheck');
  assert.equal(back.code, 0, back.stderr);
  assert.equal(
    back.stdout,
    renderMarkdown(compareReleases(loadRelease(release91), loadRelease(pinnedRelease)), 'v5.199.91', pinned.tag),
  );
  assert.match(
    back.stdout,
    /50 changes, 50 of them breaking: 5 sections removed, 9 methods removed, 36 objects removed\./,
  );
  assert.deepEqual(await snapshot(tree.root), before);
  await assertNothingLeftBehind();
});

/** A writable copy of a release with one file edited. */
async function tampered(from: string, name: string, file: string, edit: (text: string) => string): Promise<string> {
  const dir = await copyRelease(from, join(tree.scratch, name));
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  return dir;
}

test('a corrupted release (bad JSON, dangling $ref, hash mismatch) is refused naming the file, and nothing changes', async () => {
  const before = await snapshot(tree.root);
  const badJson = await tampered(
    historyRelease('v5.199.91'),
    'bad-json',
    'users/objects.json',
    (text) => `${text.slice(0, 500)}\n`,
  );
  const dangling = await tampered(historyRelease('v5.199.91'), 'dangling', 'wall/objects.json', (text) =>
    text.replace('"../base/objects.json#/definitions/base_link"', '"../base/objects.json#/definitions/base_nothing"'),
  );
  // Still valid JSON, but not the bytes the lock pins for v5.199.93.
  const mismatch = await tampered(pinnedRelease, 'mismatch', 'users/methods.json', (text) =>
    text.replace('Returns detailed information on users.', 'Returns users.'),
  );
  const results = await Promise.all([
    runUpdate('--to', badJson, '--tag', 'v5.199.91', '--commit', commit91),
    runUpdate('--to', dangling, '--tag', 'v5.199.91', '--commit', commit91),
    runUpdate(...toPinned(mismatch)),
  ]);
  const expected = [
    /refused \S+bad-json; nothing was changed:\n {2}users\/objects\.json: not valid JSON: /,
    /refused \S+dangling; nothing was changed:\n {2}wall\/objects\.json: \$ref \.\.\/base\/objects\.json#\/definitions\/base_nothing does not resolve: base\/objects\.json has nothing at #\/definitions\/base_nothing\n/,
    /refused \S+mismatch; nothing was changed:\n {2}hash mismatch: users\/methods\.json \(expected [0-9a-f]{64}, actual [0-9a-f]{64}\) \(against \S+schema\/lock\.json\)\n/,
  ];
  for (const [index, { code, stdout, stderr }] of results.entries()) {
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, expected[index]!);
  }
  assert.deepEqual(await snapshot(tree.root), before);
  await assertNothingLeftBehind();
});

test('stale corrections are all listed, with their files, and refuse the update', async () => {
  const before = await snapshot(tree.root);
  const file = join(tree.root, 'schema/corrections/zz-stale.json');
  const grounds = { why: 'a test correction', evidence: ['https://dev.vk.com/ru/method/users.get'] };
  await writeFile(
    file,
    JSON.stringify({
      methods: { 'adsweb.getSites': { ...grounds, addParams: [{ name: 'site_id', type: 'integer' }] } },
      definitions: { groups_fields: { ...grounds, addEnumValues: ['city'] } },
    }),
  );
  try {
    const { code, stderr } = await runUpdate(...toPinned(pinnedRelease), '--skip-typecheck');
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /\n {2}schema\/corrections\/zz-stale\.json: adsweb\.getSites: the schema has no such method \(it no longer applies: update or remove it\)\n/,
    );
    assert.match(
      stderr,
      /\n {2}schema\/corrections\/zz-stale\.json: groups_fields "city": the schema has this value now \(the release made it unnecessary: remove it\)\n/,
    );
  } finally {
    await rm(file);
  }
  assert.deepEqual(await snapshot(tree.root), before);
  await assertNothingLeftBehind();
});

/** Serves a tarball shaped like GitHub's: `git archive` output with upstream's repository files and a pax commit header. */
async function serveTarball(release: string, top: string, commit: string): Promise<{ url: string; server: Server }> {
  const folder = join(tree.scratch, 'tarball', top);
  await copyRelease(release, folder);
  await writeFile(join(folder, 'README.md'), '# VK API JSON Schema\n');
  await writeFile(join(folder, 'composer.json'), '{}\n');
  await mkdir(join(folder, '.github'));
  await writeFile(join(folder, '.github', 'dependabot.yml'), 'version: 2\n');
  const chunks: Buffer[] = [new Pax({ comment: commit }, true).encode()];
  for await (const chunk of createTar({ cwd: join(tree.scratch, 'tarball'), portable: true }, [top]))
    chunks.push(chunk as Buffer);
  const tarball = gzipSync(Buffer.concat(chunks));
  await rm(join(tree.scratch, 'tarball'), { recursive: true });
  const server = createServer((request, response) => {
    if (request.url === '/tarball') response.end(tarball);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tarball`, server };
}

test('a release named by its tag is downloaded and pinned by the commit its tarball carries (dry run: nothing changes)', async () => {
  const before = await snapshot(tree.root);
  const { url, server } = await serveTarball(historyRelease('v5.199.91'), 'vk-api-schema-5.199.91', commit91);
  try {
    const lines: string[] = [];
    const result = await updateSchema({
      root: tree.root,
      to: 'v5.199.91',
      url,
      dryRun: true,
      typecheck: false,
      log: (line) => lines.push(line),
    });
    assert.deepEqual(result.to, { upstream: pinned.upstream, tag: 'v5.199.91', commit: commit91 });
    assert.equal(result.installed, false);
    assert.equal(result.changes.filter((c) => c.kind === 'method-added').length, 9);
    assert.ok(lines.includes('not part of the schema, left out: .github/dependabot.yml, README.md, composer.json'));
  } finally {
    server.close();
  }
  assert.deepEqual(await snapshot(tree.root), before);
  await assertNothingLeftBehind();
});

test('a tag the lock pins at another commit is refused', async () => {
  const { url, server } = await serveTarball(pinnedRelease, 'vk-api-schema-5.199.93', 'f'.repeat(40));
  try {
    await assert.rejects(updateSchema({ root: tree.root, to: pinned.tag, url, typecheck: false }), {
      message: `refused ${pinned.tag}; nothing was changed:\n  ${join(tree.root, 'schema/lock.json')} pins ${pinned.tag} at commit ${pinned.commit}, but this is ${pinned.tag} at commit ${'f'.repeat(40)}`,
    });
  } finally {
    server.close();
  }
  await assertNothingLeftBehind();
});

test('--lock: a release must match the lock given for it, file by file', async () => {
  const release91 = historyRelease('v5.199.91');
  const lockFile = join(tree.scratch, 'lock-91.json');
  const files = Object.fromEntries(await hashFolder(release91));
  await writeFile(lockFile, JSON.stringify({ upstream: pinned.upstream, tag: 'v5.199.91', commit: commit91, files }));
  const changed = await tampered(release91, 'lock-mismatch', 'status/methods.json', (text) => `${text}\n`);
  await assert.rejects(updateSchema({ root: tree.root, to: changed, lock: lockFile, typecheck: false }), {
    message: new RegExp(
      `^refused \\S+lock-mismatch; nothing was changed:\\n  hash mismatch: status/methods\\.json \\(expected ${files['status/methods.json']}, actual [0-9a-f]{64}\\) \\(against ${lockFile}\\)$`,
    ),
  });
  await assert.rejects(
    updateSchema({ root: tree.root, to: release91, lock: lockFile, tag: 'v5.199.92', typecheck: false }),
    {
      message: `refused v5.199.92; nothing was changed:\n  ${lockFile} pins v5.199.91 at commit ${commit91}, but the release is v5.199.92 at commit ${commit91}`,
    },
  );
  await assertNothingLeftBehind();
});

test('a folder without a commit is refused with the option to pass', async () => {
  await assert.rejects(
    updateSchema({ root: tree.root, to: historyRelease('v5.199.91'), typecheck: false }),
    /cannot tell the commit of \S+v5\.199\.91 \(a folder carries none\): pass --commit/,
  );
  await assertNothingLeftBehind();
});
