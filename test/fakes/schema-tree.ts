// A throwaway copy of the repository's tree for schema:update and schema:diff
// tests (they must never run on the working tree, where others regenerate):
// schema/ (lock, corrections, the pinned schema installed from ../shared),
// generated/, src/ and the config files, with node_modules linked.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fetchSchema } from '../../schema/fetch.js';
import { hashFolder, readLock } from '../../schema/lock.js';
import { repoRoot } from '../support/paths.js';

export const shared = join(repoRoot, '..', 'shared');
export const pinnedRelease = join(shared, 'vk-api-schema');
export const historyRelease = (tag: string) => join(shared, 'vk-api-schema-history', tag);

export interface SchemaTree {
  root: string;
  /** A scratch folder beside the tree, removed with it. */
  scratch: string;
  dispose(): Promise<void>;
}

export async function copySchemaTree(): Promise<SchemaTree> {
  const base = await mkdtemp(join(tmpdir(), 'schema-update-test-'));
  const root = join(base, 'tree');
  const scratch = join(base, 'scratch');
  await mkdir(join(root, 'schema'), { recursive: true });
  await mkdir(scratch);
  for (const path of [
    'schema/lock.json',
    'schema/corrections',
    'src',
    'generated',
    'tsconfig.json',
    'package.json',
    '.prettierrc.json',
  ]) {
    await cp(join(repoRoot, path), join(root, path), { recursive: true });
  }
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await fetchSchema(await readLock(), { from: pinnedRelease, dest: join(root, 'schema/vk-api-schema') });
  return { root, scratch, dispose: () => rm(base, { recursive: true, force: true }) };
}

/** A writable copy of a release folder (../shared is read-only), to tamper with. */
export async function copyRelease(from: string, to: string): Promise<string> {
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const target = join(to, entry.parentPath.slice(from.length), entry.name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFile(join(entry.parentPath, entry.name)));
  }
  return to;
}

/** Every byte the update may change: the installed schema, the lock and generated/, by sha256. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const entries: [string, string][] = [];
  for (const folder of ['schema/vk-api-schema', 'generated']) {
    for (const [path, hash] of await hashFolder(join(root, folder))) entries.push([`${folder}/${path}`, hash]);
  }
  entries.push(['schema/lock.json', await readFile(join(root, 'schema/lock.json'), 'utf8')]);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}
