// The README's set-up works on any fresh machine: `npm run setup` copies the schema
// from ../shared when it is there and downloads the pinned release (every hash
// checked) when it is not; and the demo needs no schema at all. The download comes
// from a fake upstream on 127.0.0.1, serving a tarball shaped like GitHub's.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { c as createTar } from 'tar';
import { hashFolder, readLock, type SchemaLock } from '../../schema/lock.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
/** A verified copy to serve and copy from: the folder `npm run setup` fills, so that
 * this test needs no ../shared. */
const installedSchema = join(repoRoot, 'schema', 'vk-api-schema');

let lock: SchemaLock;
let tmp: string;
let upstream: Server;
let tarballUrl: string;
let downloads = 0;

before(async () => {
  lock = await readLock();
  tmp = await mkdtemp(join(tmpdir(), 'vk-typed-setup-'));
  const tarball = join(tmp, 'schema.tar.gz');
  await createTar({ gzip: true, cwd: dirname(installedSchema), file: tarball }, ['vk-api-schema']);
  upstream = createServer((request, response) => {
    downloads += 1;
    createReadStream(tarball).pipe(response);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  tarballUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/tarball`;
});

after(async () => {
  upstream?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** `npm run schema:fetch -- ...args`, with the fake upstream as the pinned release. */
async function schemaFetch(...args: string[]) {
  const before = downloads;
  const script = join(repoRoot, 'schema', 'fetch.ts');
  const result = await run(process.execPath, ['--import', 'tsx', script, '--url', tarballUrl, ...args], {
    cwd: repoRoot,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { ...result, downloaded: downloads - before };
}

async function assertHoldsTheLock(dir: string): Promise<void> {
  assert.deepEqual(Object.fromEntries(await hashFolder(dir)), lock.files);
}

describe('npm run setup', () => {
  test('takes the schema from ../shared/vk-api-schema when it is there, else downloads it', async () => {
    const { scripts } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(scripts['setup'], 'npm ci && npm run schema:fetch -- --local ../shared/vk-api-schema');
  });

  test('--local with the folder there: copied, nothing downloaded', async () => {
    const dest = join(tmp, 'from-local');
    const result = await schemaFetch('--local', installedSchema, '--dest', dest);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.downloaded, 0);
    await assertHoldsTheLock(dest);
  });

  test('--local with no such folder: the pinned release is downloaded and every hash checked', async () => {
    const dest = join(tmp, 'downloaded');
    const result = await schemaFetch('--local', join(tmp, 'no-shared-here'), '--dest', dest);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.downloaded, 1);
    assert.match(result.stdout, /no .*no-shared-here; downloading the pinned release instead/);
    await assertHoldsTheLock(dest);
  });

  test('--local with a folder that does not match the lock fails; it never falls back to a download', async () => {
    const tampered = join(tmp, 'tampered');
    await cp(installedSchema, tampered, { recursive: true });
    await appendFile(join(tampered, 'users', 'methods.json'), ' ');
    const dest = join(tmp, 'never-written');
    const result = await schemaFetch('--local', tampered, '--dest', dest);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /hash mismatch: users\/methods\.json/);
    assert.equal(result.downloaded, 0);
    await assert.rejects(readFile(join(dest, 'schema.json')), { code: 'ENOENT' });
  });
});

describe('npm run demo', () => {
  test('runs in a checkout that has no schema folder at all', { timeout: 120_000 }, async () => {
    const checkout = join(tmp, 'checkout');
    await mkdir(join(checkout, 'test'), { recursive: true });
    for (const path of ['package.json', 'tsconfig.json', 'src', 'generated', 'examples', 'test/fakes']) {
      await cp(join(repoRoot, path), join(checkout, path), { recursive: true });
    }
    await symlink(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
    const { VK_TOKEN: _token, VK_API_SCHEMA_DIR: _schema, ...env } = process.env;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
      cwd: checkout,
      env,
      timeout: 60_000,
    });
    assert.match(stdout, /users\.get: Pavel Durov/);
  });
});
