// `npm run schema:fetch`: installs the pinned VK API schema into schema/vk-api-schema/,
// from a local folder (--from DIR) or by downloading the pinned upstream tarball,
// after checking every file against schema/lock.json. `--local DIR` takes DIR when it
// exists and downloads otherwise (what `npm run setup` does with ../shared).
// `--write-lock --from DIR` instead re-pins the lock's file hashes to DIR.
import { existsSync, realpathSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { downloadRelease } from './download.js';
import { findProblems, hashFolder, lockPath, readLock, writeLock, type SchemaLock } from './lock.js';
import { renameIfPresent } from './stage.js';

const defaultDest = fileURLToPath(new URL('./vk-api-schema', import.meta.url));

/** Replacing dest deletes it, so only an empty folder or an earlier schema copy may be replaced. */
async function assertReplaceable(dest: string): Promise<void> {
  const entries = await readdir(dest).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0 && !entries.includes('schema.json')) {
    throw new Error(`refusing to replace ${dest}: it is not empty and holds no schema.json`);
  }
}

/**
 * Copies the files into a temp folder beside dest, then renames it into place,
 * so a failure never leaves dest half-filled.
 */
async function installFiles(source: string, paths: string[], dest: string): Promise<void> {
  await assertReplaceable(dest);
  await mkdir(dirname(dest), { recursive: true });
  const staging = await mkdtemp(join(dirname(dest), `.${basename(dest)}-`));
  try {
    await chmod(staging, 0o755); // mkdtemp makes it private; the installed folder should not be
    for (const path of paths) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      // Fresh files with default permissions: the source may be read-only (../shared is).
      await writeFile(join(staging, path), await readFile(join(source, path)));
    }
    // rename cannot overwrite a non-empty folder, so the old copy steps aside first.
    const previous = `${staging}-previous`;
    const hadPrevious = await renameIfPresent(dest, previous);
    try {
      await rename(staging, dest);
    } catch (error) {
      if (hadPrevious) await rename(previous, dest);
      throw error;
    }
    await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface FetchOptions {
  /** Where to install; replaced if it holds an earlier copy. */
  dest: string;
  /** A local schema folder to copy; without it the tarball at url is downloaded. */
  from?: string;
  url?: string;
}

/** Installs the schema pinned by lock into dest, refusing any file that does not match. */
export async function fetchSchema(lock: SchemaLock, { dest, from, url }: FetchOptions): Promise<void> {
  const tarballUrl = url ?? `https://codeload.github.com/${lock.upstream}/tar.gz/${lock.commit}`;
  const source = from ?? (await downloadRelease(tarballUrl)).folder;
  try {
    const problems = findProblems(lock, await hashFolder(source));
    if (problems.length > 0) {
      throw new Error(`${from ?? tarballUrl} does not match ${lockPath} (${lock.tag}):\n  ${problems.join('\n  ')}`);
    }
    await installFiles(source, Object.keys(lock.files), dest);
  } finally {
    if (!from) await rm(source, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      local: { type: 'string' },
      dest: { type: 'string' },
      url: { type: 'string' },
      'write-lock': { type: 'boolean' },
    },
  });
  const lock = await readLock();
  const local = values.local && resolve(values.local);
  const from = values.from ? resolve(values.from) : local && existsSync(local) ? local : undefined;

  if (values['write-lock']) {
    if (!from) throw new Error('--write-lock needs --from DIR');
    const hashes = await hashFolder(from);
    await writeLock(lock, hashes);
    console.log(`schema:fetch: wrote ${lockPath}: ${hashes.size} files of ${lock.upstream} ${lock.tag}`);
    return;
  }

  const dest = resolve(values.dest ?? defaultDest);
  if (local && !from) console.log(`schema:fetch: no ${local}; downloading the pinned release instead`);
  await fetchSchema(lock, { dest, from, url: values.url });
  const count = Object.keys(lock.files).length;
  console.log(`schema:fetch: verified ${count} files of ${lock.upstream} ${lock.tag} into ${dest}`);
}

// Run as a script, not when the tests import fetchSchema. realpath: import.meta.url has symlinks resolved.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(`schema:fetch: ${error.message}`);
    process.exitCode = 1;
  });
}
