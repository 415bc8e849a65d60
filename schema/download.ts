// Downloads an upstream release tarball (GitHub's, made by `git archive`) into a
// fresh temp folder, dropping its top folder, and reads the commit it was made
// from out of the pax header `git archive` writes, so that a release named by
// its tag can be pinned by its commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { x as extract, type ReadEntry } from 'tar';

export interface Download {
  folder: string;
  /** The commit in the tarball's global pax header, when it carries one. */
  commit?: string;
}

const commitPattern = /^[0-9a-f]{40}$/;

/** A release tarball is about 1 MB: a download still going after this long has stalled. */
const downloadTimeout = 120_000;

export async function downloadRelease(url: string): Promise<Download> {
  let response: Response;
  try {
    // The signal bounds the body's streaming too, not only the headers.
    response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeout) });
  } catch (error) {
    const { cause, message } = error as Error & { cause?: Error };
    throw new Error(`download of ${url} failed: ${cause?.message ?? message}`);
  }
  if (!response.ok || !response.body) {
    throw new Error(`download of ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const folder = await mkdtemp(join(tmpdir(), 'vk-api-schema-update-'));
  let commit: string | undefined;
  try {
    const unpack = extract({ cwd: folder, strip: 1, strict: true });
    unpack.on('entry', (entry: ReadEntry) => {
      const comment = entry.globalExtended?.comment;
      if (!commit && comment && commitPattern.test(comment)) commit = comment;
    });
    await pipeline(Readable.fromWeb(response.body as ReadableStream), unpack);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw new Error(`cannot unpack ${url}: ${(error as Error).message}`);
  }
  return { folder, commit };
}
