// Which upstream release a schema folder is: the pin of schema/lock.json when the
// folder holds exactly the files it pins, else none (a folder under test, or a
// release not pinned yet). generated/README.md names it.
import { findProblems, hashFolder, readLock } from '../schema/lock.js';

export interface SchemaPin {
  upstream: string;
  tag: string;
  commit: string;
}

export async function pinOf(schemaDir: string): Promise<SchemaPin | undefined> {
  const lock = await readLock();
  if (findProblems(lock, await hashFolder(schemaDir)).length > 0) return undefined;
  const { upstream, tag, commit } = lock;
  return { upstream, tag, commit };
}
