// The packages as users get them: vk-typed built and packed from a copy of this tree
// (in a temporary folder, so that neither the repo's dist/ nor a build someone runs in
// the tree is touched), vk-io from the registry, each npm-installed into a project of
// its own (bench/.work/installed/<name>/), as `npm install <package>` leaves it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { repoRoot } from './processes.js';
import { formatMs } from './stats.js';

const workDir = resolve(repoRoot, 'bench/.work');

/** What the copy leaves out besides every node_modules/: builds, git, bench output, the schema (never packed). */
const notCopied = new Set(['dist', '.git', 'bench/.work', 'schema/vk-api-schema', 'docs/api']);

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** The project it is installed in (its package.json, node_modules/). */
  readonly projectDir: string;
  /** node_modules/<name> in that project. */
  readonly packageDir: string;
}

function run(command: string, args: readonly string[], cwd: string, what: string): string {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} failed (\`${command} ${args.join(' ')}\` in ${relative(repoRoot, cwd) || '.'}, exit ${result.status}):\n${output}`);
  }
  console.log(`${what}: ${formatMs(performance.now() - started)}`);
  return result.stdout;
}

/**
 * Builds (`npm run build`) and packs (`npm pack`) a copy of this tree; returns the
 * tarball. A build that fails (src/ mid-edit, the build being reworked) throws with
 * the build's last lines: the figures that need the package say what is missing.
 */
export function packVkTyped(): string {
  const packTree = mkdtempSync(join(tmpdir(), 'vk-typed-bench-pack-'));
  try {
    cpSync(repoRoot, packTree, {
      recursive: true,
      filter: (source) => basename(source) !== 'node_modules' && !notCopied.has(relative(repoRoot, source)),
    });
    symlinkSync(resolve(repoRoot, 'node_modules'), resolve(packTree, 'node_modules'), 'dir');
    run('npm', ['run', 'build'], packTree, 'vk-typed build (npm run build, in a copy of the tree)');
    mkdirSync(workDir, { recursive: true });
    // Built just above: prepack would build again.
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], packTree, 'npm pack');
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    return resolve(workDir, filename);
  } finally {
    rmSync(packTree, { recursive: true, force: true });
  }
}

/** npm-installs `spec` (a registry spec or a tarball) into bench/.work/installed/<name>/, fresh. */
export function installPackage(name: string, spec: string): InstalledPackage {
  const projectDir = resolve(workDir, 'installed', name);
  rmSync(projectDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(resolve(projectDir, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--no-package-lock', spec],
    projectDir,
    `npm install ${relative(repoRoot, spec).startsWith('..') ? spec : relative(repoRoot, spec)}`,
  );
  const packageDir = resolve(projectDir, 'node_modules', name);
  const { version } = JSON.parse(readFileSync(resolve(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { name, version, projectDir, packageDir };
}

export interface InstalledSize {
  /** Every file under node_modules/, sizes summed (apparent size). */
  readonly bytes: number;
  /** The disk blocks of its files and folders, as `du` counts them: many small files cost more than their bytes. */
  readonly diskBytes: number;
  /** Package folders under node_modules/, nested ones included. */
  readonly packages: number;
  /** The largest packages, by their own files (nested node_modules/ apart). */
  readonly largest: readonly { readonly name: string; readonly bytes: number }[];
}

/** What `npm install` put into `projectDir`'s node_modules/. */
export function installedSize(projectDir: string): InstalledSize {
  const perPackage = new Map<string, number>();
  let bytes = 0;
  let diskBytes = 0;
  let packages = 0;
  const count = (path: string): number => {
    const stat = lstatSync(path);
    diskBytes += stat.blocks * 512;
    if (stat.isDirectory()) return 0;
    bytes += stat.size;
    return stat.size;
  };
  const walk = (dir: string, owner: string | undefined): void => {
    count(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name === 'node_modules') {
        walkPackages(path);
      } else if (entry.isDirectory()) {
        walk(path, owner);
      } else {
        const size = count(path);
        if (owner !== undefined) perPackage.set(owner, (perPackage.get(owner) ?? 0) + size);
      }
    }
  };
  const walkPackages = (modulesDir: string): void => {
    count(modulesDir);
    for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
      const path = join(modulesDir, entry.name);
      if (!entry.isDirectory()) {
        count(path);
      } else if (entry.name.startsWith('@')) {
        count(path);
        for (const scoped of readdirSync(path)) walkPackage(join(path, scoped), `${entry.name}/${scoped}`);
      } else if (entry.name !== '.bin') {
        walkPackage(path, entry.name);
      }
    }
  };
  const walkPackage = (dir: string, name: string): void => {
    if (existsSync(join(dir, 'package.json'))) packages += 1;
    walk(dir, name);
  };
  walkPackages(resolve(projectDir, 'node_modules'));
  const largest = [...perPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, size]) => ({ name, bytes: size }));
  return { bytes, diskBytes, packages, largest };
}

/** "12.3 MB" (1 MB = 10^6 bytes, as npm reports sizes). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export interface PackedPackages {
  readonly vkTyped: InstalledPackage;
  readonly vkIo: InstalledPackage;
}

export const vkIoVersion = '4.10.1';
let packed: PackedPackages | undefined;

/** vk-typed (packed from this tree) and vk-io, each installed in a fresh project; once per process. */
export function packedPackages(): PackedPackages {
  packed ??= { vkTyped: installPackage('vk-typed', packVkTyped()), vkIo: installPackage('vk-io', `vk-io@${vkIoVersion}`) };
  return packed;
}
