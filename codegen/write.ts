// Writes generated/ (or checks it): the generator owns the whole folder, so a
// file it no longer produces is removed, and --check reports it as stale.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Drift {
  /** Files whose content differs from what the generator produces. */
  changed: string[];
  /** Files the generator produces that are not on disk. */
  missing: string[];
  /** Files on disk the generator no longer produces. */
  extra: string[];
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

export function compareOutput(outDir: string, files: Map<string, string>): Drift {
  const onDisk = listFiles(outDir);
  const drift: Drift = { changed: [], missing: [], extra: onDisk.filter((path) => !files.has(path)) };
  for (const [path, content] of files) {
    if (!onDisk.includes(path)) drift.missing.push(path);
    else if (readFileSync(join(outDir, path), 'utf8') !== content) drift.changed.push(path);
  }
  drift.missing.sort();
  drift.changed.sort();
  return drift;
}

export function writeOutput(outDir: string, files: Map<string, string>, drift: Drift): void {
  for (const path of [...drift.changed, ...drift.missing]) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, files.get(path)!);
  }
  for (const path of drift.extra) rmSync(join(outDir, path));
  for (const dir of readdirSync(outDir, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory())) {
    const path = join(dir.parentPath, dir.name);
    if (existsSync(path) && readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}
