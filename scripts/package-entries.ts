// The package's entry points, read from package.json so that a subpath is one
// `exports` entry and nothing else: the build compiles the source of every entry, and
// the packed-package test checks each one. An entry's files sit under dist/ at the
// path of its source (src/redis/index.ts -> dist/src/redis/index.js, .cjs, .d.ts, .d.cts).

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The files one subpath resolves to, in each module system, and its source. */
export interface PackageEntry {
  /** `.`, `./redis`, ... */
  readonly subpath: string;
  /** The TypeScript source, relative to the repo (`src/index.ts`). */
  readonly source: string;
  readonly import: { readonly types: string; readonly default: string };
  readonly require: { readonly types: string; readonly default: string };
}

/** What an `exports` entry must look like, given the path of its source without `.ts`. */
export function exportsEntry(base: string): Pick<PackageEntry, 'import' | 'require'> {
  return {
    import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
    require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
  };
}

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, unknown>;
  readonly bin?: string | Record<string, string>;
  readonly main?: string;
  readonly types?: string;
  readonly dependencies?: Record<string, string>;
}

export async function readManifest(): Promise<PackageManifest> {
  return JSON.parse(await readFile(`${repoRoot}package.json`, 'utf8')) as PackageManifest;
}

/**
 * Every subpath of `exports` (but `./package.json`), checked to have the shape of
 * {@link exportsEntry}; a clear error names the entry that does not.
 */
export function packageEntries(manifest: PackageManifest): PackageEntry[] {
  return Object.entries(manifest.exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, conditions]) => {
      const target = (conditions as { import?: { default?: unknown } }).import?.default;
      const base = typeof target === 'string' ? /^\.\/dist\/(.+)\.js$/.exec(target)?.[1] : undefined;
      const expected = base === undefined ? undefined : exportsEntry(base);
      if (expected === undefined || JSON.stringify(conditions) !== JSON.stringify(expected)) {
        const example = JSON.stringify(exportsEntry(base ?? 'src/<folder>/index'));
        throw new Error(`package.json exports["${subpath}"] must be ${example} (types first in each condition)`);
      }
      return { subpath, source: `${base}.ts`, ...expected };
    });
}

/** The `bin` commands, by name, with their paths as npm writes them (no leading `./`). */
export function binCommands(manifest: PackageManifest): Record<string, string> {
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  return Object.fromEntries(Object.entries(bins).map(([name, path]) => [name, path.replace(/^\.\//, '')]));
}

/** The sources of `bin` commands (`./dist/src/cli/main.js` or `.cjs` -> `src/cli/main.ts`). */
export function binSources(manifest: PackageManifest): string[] {
  return Object.values(binCommands(manifest)).map((bin) => {
    const base = /^dist\/(.+)\.c?js$/.exec(bin)?.[1];
    if (base === undefined)
      throw new Error(`package.json bin "${bin}" must be ./dist/<path of its source>.js (or .cjs)`);
    return `${base}.ts`;
  });
}
