// schema/lock.json of a given tree (schema:update works on any tree given by
// --root, so it cannot use lock.ts's fixed path), in lock.ts's format.
import { readFile } from 'node:fs/promises';
import type { SchemaLock } from './lock.js';

export async function readLockFile(path: string): Promise<SchemaLock> {
  let lock: SchemaLock;
  try {
    lock = JSON.parse(await readFile(path, 'utf8')) as SchemaLock;
  } catch (error) {
    throw new Error(`cannot read the lock ${path}: ${(error as Error).message}`);
  }
  for (const key of ['upstream', 'tag', 'commit'] as const) {
    if (typeof lock?.[key] !== 'string') throw new Error(`${path}: "${key}" must be a string`);
  }
  if (typeof lock.files !== 'object' || lock.files === null) throw new Error(`${path}: "files" must be an object`);
  return lock;
}

/** The lock's text: files sorted by path, as lock.ts writes it. */
export function lockText(
  { upstream, tag, commit }: Pick<SchemaLock, 'upstream' | 'tag' | 'commit'>,
  hashes: Map<string, string>,
): string {
  const files = Object.fromEntries([...hashes].sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${JSON.stringify({ upstream, tag, commit, files }, null, 2)}\n`;
}
