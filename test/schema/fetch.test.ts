// schema/fetch.ts installs the pinned schema only when every file matches
// schema/lock.json, and never touches the destination otherwise.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { c as createTar } from 'tar';
import { fetchSchema } from '../../schema/fetch.js';
import { hashFolder, readLock, type SchemaLock } from '../../schema/lock.js';
import { repoRoot } from '../support/paths.js';

const sharedSchema = join(repoRoot, '..', 'shared', 'vk-api-schema');

let lock: SchemaLock;
let tmp: string;
/** A writable verified copy (../shared is read-only) to tamper with. */
let goodCopy: string;
let server: Server;
let baseUrl: string;

function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(repoRoot, 'schema', 'fetch.ts');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

async function copyOfGood(name: string): Promise<string> {
  const copy = join(tmp, name);
  await cp(goodCopy, copy, { recursive: true });
  return copy;
}

async function assertHoldsExactlyTheLock(dir: string): Promise<void> {
  assert.deepEqual(Object.fromEntries(await hashFolder(dir)), lock.files);
}

/** Serves a tar.gz shaped like GitHub's: one top folder, plus upstream's repository files. */
async function startUpstream(): Promise<void> {
  const top = join(tmp, 'upstream', `vk-api-schema-${lock.commit}`);
  await cp(goodCopy, top, { recursive: true });
  await writeFile(join(top, 'README.md'), '# VK API JSON Schema\n');
  await writeFile(join(top, 'composer.json'), '{}\n');
  await mkdir(join(top, '.github'));
  await writeFile(join(top, '.github', 'dependabot.yml'), 'version: 2\n');
  const tarball = join(tmp, 'schema.tar.gz');
  await createTar({ gzip: true, cwd: dirname(top), file: tarball }, [`vk-api-schema-${lock.commit}`]);

  server = createServer((request, response) => {
    if (request.url === '/tarball') {
      createReadStream(tarball).pipe(response);
    } else if (request.url === '/moved') {
      response.writeHead(302, { location: '/tarball' }).end();
    } else {
      response.writeHead(404).end('Not Found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  lock = await readLock();
  tmp = await mkdtemp(join(tmpdir(), 'schema-fetch-test-'));
  goodCopy = join(tmp, 'good');
  await fetchSchema(lock, { from: sharedSchema, dest: goodCopy });
  await startUpstream();
});

after(async () => {
  server?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('the CLI installs a verified local copy, replacing an earlier one', async () => {
  const dest = await copyOfGood('replaced');
  await mkdir(join(dest, 'stale'));
  await writeFile(join(dest, 'stale', 'methods.json'), '{}');

  const { code, stdout } = await runCli('--from', sharedSchema, '--dest', dest);

  assert.equal(code, 0);
  const count = Object.keys(lock.files).length;
  assert.equal(stdout, `schema:fetch: verified ${count} files of VKCOM/vk-api-schema ${lock.tag} into ${dest}\n`);
  await assertHoldsExactlyTheLock(dest);
});

test('a tampered file fails with both hashes and leaves the destination untouched', async () => {
  const source = await copyOfGood('tampered');
  await appendFile(join(source, 'users', 'methods.json'), ' ');
  const actual = (await hashFolder(source)).get('users/methods.json');
  const dest = join(tmp, 'kept');
  await mkdir(dest);
  await writeFile(join(dest, 'schema.json'), 'an earlier copy');

  await assert.rejects(
    fetchSchema(lock, { from: source, dest }),
    new RegExp(`hash mismatch: users/methods.json \\(expected ${lock.files['users/methods.json']}, actual ${actual}\\)`),
  );
  assert.deepEqual(await readdir(dest), ['schema.json']);
  assert.equal(await readFile(join(dest, 'schema.json'), 'utf8'), 'an earlier copy');
  assert.deepEqual((await readdir(tmp)).filter((name) => name.startsWith('.kept')), [], 'no temp folder left');
});

test('a missing file fails naming it', async () => {
  const source = await copyOfGood('missing');
  await rm(join(source, 'wall', 'objects.json'));
  const dest = join(tmp, 'missing-dest');

  await assert.rejects(fetchSchema(lock, { from: source, dest }), /missing: wall\/objects\.json/);
  assert.equal(existsSync(dest), false);
});

test('an extra schema file the lock lacks fails naming it', async () => {
  const source = await copyOfGood('extra');
  await mkdir(join(source, 'newsection'));
  await writeFile(join(source, 'newsection', 'methods.json'), '{}');
  const dest = join(tmp, 'extra-dest');

  await assert.rejects(fetchSchema(lock, { from: source, dest }), /not in the lock: newsection\/methods\.json/);
  assert.equal(existsSync(dest), false);
});

test('refuses to replace a destination that is not a schema copy', async () => {
  const dest = join(tmp, 'not-a-schema');
  await mkdir(dest);
  await writeFile(join(dest, 'notes.txt'), 'mine');

  await assert.rejects(fetchSchema(lock, { from: sharedSchema, dest }), /refusing to replace/);
  assert.deepEqual(await readdir(dest), ['notes.txt']);
});

test('downloads the tarball, following a redirect, and installs only the schema', async () => {
  const dest = join(tmp, 'downloaded');

  await fetchSchema(lock, { url: `${baseUrl}/moved`, dest });

  await assertHoldsExactlyTheLock(dest);
});

test('the CLI fails clearly on an HTTP error', async () => {
  const dest = join(tmp, 'not-downloaded');

  const { code, stderr } = await runCli('--url', `${baseUrl}/gone`, '--dest', dest);

  assert.equal(code, 1);
  assert.equal(stderr, `schema:fetch: download of ${baseUrl}/gone failed: HTTP 404 Not Found\n`);
  assert.equal(existsSync(dest), false);
});
