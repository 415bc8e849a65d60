// schema/lock.json pins the upstream VK API schema: its tag, its commit and the
// sha256 of every file. These helpers read the lock and check a folder against it.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SchemaLock {
  /** GitHub owner/name of the upstream repository. */
  upstream: string;
  tag: string;
  commit: string;
  /** Relative path (forward slashes) -> sha256 hex. */
  files: Record<string, string>;
}

export const lockPath = fileURLToPath(new URL('./lock.json', import.meta.url));

export async function readLock(): Promise<SchemaLock> {
  const lock = JSON.parse(await readFile(lockPath, 'utf8')) as SchemaLock;
  for (const key of ['upstream', 'tag', 'commit'] as const) {
    if (typeof lock[key] !== 'string') throw new Error(`${lockPath}: "${key}" must be a string`);
  }
  if (typeof lock.files !== 'object' || lock.files === null) throw new Error(`${lockPath}: "files" must be an object`);
  return lock;
}

/** Rewrites the lock with the given files' hashes, keeping its upstream, tag and commit. */
export async function writeLock(lock: SchemaLock, hashes: Map<string, string>): Promise<void> {
  const files = Object.fromEntries([...hashes].sort(([a], [b]) => (a < b ? -1 : 1)));
  const { upstream, tag, commit } = lock;
  await writeFile(lockPath, `${JSON.stringify({ upstream, tag, commit, files }, null, 2)}\n`);
}

/** Every regular file under dir: relative path (forward slashes) -> sha256 hex. */
export async function hashFolder(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const hashes = new Map<string, string>();
  for (const entry of entries.filter((entry) => entry.isFile())) {
    const path = join(entry.parentPath, entry.name);
    const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
    hashes.set(relative(dir, path).split(sep).join('/'), sha256);
  }
  return hashes;
}

/**
 * The upstream tarball also carries repository files (README.md, composer.json,
 * .github/) at the top level or in dot-folders; the schema itself lives in
 * section folders, so only files there count as extra when the lock lacks them.
 */
function isSectionFile(path: string): boolean {
  const parts = path.split('/');
  return parts.length > 1 && !parts.some((part) => part.startsWith('.'));
}

/** One line per file that is missing, differs from the lock, or is a section file the lock lacks. */
export function findProblems(lock: SchemaLock, hashes: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, expected] of Object.entries(lock.files)) {
    const actual = hashes.get(path);
    if (actual === undefined) problems.push(`missing: ${path}`);
    else if (actual !== expected) problems.push(`hash mismatch: ${path} (expected ${expected}, actual ${actual})`);
  }
  for (const path of hashes.keys()) {
    if (!Object.hasOwn(lock.files, path) && isSectionFile(path)) problems.push(`not in the lock: ${path}`);
  }
  return problems.sort();
}
