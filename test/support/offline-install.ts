// Installs packages into a fresh project with nothing fetched: the project's
// package-lock.json is cut from the repo's own (the packages' runtime closure, at the
// versions and with the integrity the repo installs), so `npm ci --offline` finds every
// tarball in the npm cache that the repo's `npm ci` filled. Each entry gets its tarball
// URL (the repo's lock may leave it out, omit-lockfile-registry-resolved), so that npm
// needs no package metadata, which the cache may hold in another form than it asks for.
// Also measures an install.

import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** Where Node would find `name` from the package at `from` ('' for the root): the
 * nearest `node_modules/name` up the tree. */
function locate(packages: Record<string, LockEntry>, name: string, from: string): string {
  for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
    const path = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[path]) return path;
    if (base === '')
      throw new Error(`${name} (needed by ${from || 'the project'}) is not in the repo's package-lock.json`);
  }
}

/** The registry's tarball URL of a package (`@scope/name` -> `.../@scope/name/-/name-1.0.0.tgz`). */
function tarballUrl(registry: string, name: string, version: string): string {
  return `${registry.replace(/\/?$/, '/')}${name}/-/${name.split('/').at(-1)}-${version}.tgz`;
}

/** The lock entries of `names` and of everything they depend on, from the repo's lock,
 * as production packages. */
export function runtimeClosure(names: readonly string[], from = ''): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const picked: Record<string, LockEntry> = {};
  const visit = (name: string, parent: string) => {
    const path = locate(lock.packages, name, parent);
    if (picked[path]) return;
    const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...entry } = lock.packages[path]!;
    const realName =
      typeof entry['name'] === 'string' ? entry['name'] : path.slice(path.lastIndexOf('node_modules/') + 13);
    entry.resolved ??= tarballUrl(registry, realName, entry.version ?? '');
    picked[path] = entry;
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(dependency, path);
  };
  for (const name of names) visit(name, from);
  return picked;
}

export interface OfflineProject {
  /** Dependencies of the project's package.json (a `file:` tarball, or versions the repo's lock has). */
  dependencies: Record<string, string>;
  /** Lock entries (`node_modules/...` -> entry) for every package installed. */
  packages: Record<string, LockEntry>;
}

/** Writes package.json and package-lock.json into `dir` and runs `npm ci --offline` there. */
export async function installOffline(dir: string, { dependencies, packages }: OfflineProject): Promise<void> {
  const manifest = { name: 'consumer', version: '1.0.0', private: true, dependencies };
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': manifest, ...packages },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
}
