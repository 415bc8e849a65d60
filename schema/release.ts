// Where `schema:update --to X` takes a release from: a local folder, or the
// upstream tarball of a tag or a commit; and which of its files make up the
// schema (upstream's README, package manifests and dot-folders do not).
import { stat, readdir, rm } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { downloadRelease } from './download.js';

export interface ReleaseSource {
  /** The folder holding the release as fetched. */
  folder: string;
  /** Where it came from, for messages: the folder or the URL. */
  origin: string;
  /** What the source itself says about the release, when it says anything. */
  tag?: string;
  commit?: string;
  /** Removes what fetching left behind (nothing for a local folder). */
  cleanup(): Promise<void>;
}

/** A full commit id; a shorter hex ref is an abbreviated one. */
export const commitPattern = /^[0-9a-f]{40}$/;
const abbreviatedCommit = /^[0-9a-f]{7,39}$/;
/** Upstream's tags: v5.199.93. */
const tagPattern = /^v\d+(\.\d+)+$/;
const refPattern = /^[\w][\w.-]*$/;

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Opens the release `to` names: an existing folder (its name is taken as the tag
 * when it looks like one), else a commit (hex) or a tag of `upstream`, downloaded
 * from codeload.github.com or from `url`.
 */
export async function openRelease(to: string, upstream: string, url?: string): Promise<ReleaseSource> {
  const folder = resolve(to);
  if (await isDirectory(folder)) {
    const name = basename(folder);
    return { folder, origin: folder, tag: tagPattern.test(name) ? name : undefined, cleanup: async () => {} };
  }
  if (!refPattern.test(to)) throw new Error(`--to ${to}: no such folder, and not a tag or commit of ${upstream}`);
  const isCommit = commitPattern.test(to) || abbreviatedCommit.test(to);
  const source = url ?? `https://codeload.github.com/${upstream}/tar.gz/${to}`;
  const download = await downloadRelease(source);
  const cleanup = () => rm(download.folder, { recursive: true, force: true });
  if (isCommit && download.commit && !download.commit.startsWith(to)) {
    await cleanup();
    throw new Error(`${source} was made from commit ${download.commit}, not ${to}`);
  }
  return {
    folder: download.folder,
    origin: source,
    tag: isCommit ? undefined : to,
    commit: download.commit ?? (commitPattern.test(to) ? to : undefined),
    cleanup,
  };
}

/** The release-wide files at the top of a schema folder; everything else there is upstream's repository. */
const topLevelFiles = new Set(['LICENSE', 'errors.json', 'schema.json', 'schema-errors.json']);

export interface ReleaseFiles {
  /** Relative paths (forward slashes) of the schema's files, sorted. */
  files: string[];
  /** Files of the folder that are not part of the schema (README.md, composer.json, .github/...). */
  ignored: string[];
}

/** Splits a release folder's files into the schema's and upstream's others. */
export async function releaseFiles(folder: string): Promise<ReleaseFiles> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  const ignored: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/');
    const parts = path.split('/');
    const inSection = parts.length > 1 && !parts.some((part) => part.startsWith('.'));
    (inSection || topLevelFiles.has(path) ? files : ignored).push(path);
  }
  return { files: files.sort(), ignored: ignored.sort() };
}
