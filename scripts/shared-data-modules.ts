// The generated validation data (generated/validation: about 0.66 MB) ships once, as ESM.
// The SDK loads it lazily with `import()`, which a CommonJS module can do in every Node
// version, so the CommonJS build imports the ESM copy instead of shipping a .cjs copy
// of its own: the data is plain objects, so one copy serves both module systems.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { filesUnder } from './declaration-files.js';

const dataDir = 'generated/validation';
// How tsdown's CommonJS output loads a module that the source imports with `import()`.
const lazyRequire = /Promise\.resolve\(\)\.then\(\(\) => require\("((?:\.\.?\/)+generated\/validation\/[\w-]+)\.cjs"\)\)/g;

/**
 * Points the CommonJS files under `distDir` at the ESM copies of the data modules and
 * removes the CommonJS copies. Throws when one of them is loaded any other way, or
 * when a data module imports something (two copies of that would not be one).
 * Returns how many loads it rewrote.
 */
export function shareDataModules(distDir: string): number {
  for (const data of filesUnder(posix.join(distDir, dataDir), '.js')) {
    if (/^\s*import\b/m.test(readFileSync(posix.join(distDir, dataDir, data), 'utf8'))) {
      throw new Error(`${dataDir}/${data} imports a module: its ESM copy cannot stand in for the CommonJS one`);
    }
  }
  let rewritten = 0;
  const changed = new Map<string, string>();
  for (const file of filesUnder(distDir, '.cjs').map((each) => posix.join(distDir, each))) {
    const text = readFileSync(file, 'utf8');
    const shared = text.replace(lazyRequire, (_load, module: string) => {
      rewritten++;
      return `import(${JSON.stringify(`${module}.js`)})`;
    });
    if (/generated\/validation\/[\w-]+\.cjs/.test(shared)) {
      throw new Error(`${posix.relative(distDir, file)} loads ${dataDir} other than by import(); the build cannot drop its CommonJS copy`);
    }
    if (shared !== text) changed.set(file, shared);
  }
  for (const [file, text] of changed) writeFileSync(file, text);
  for (const copy of filesUnder(posix.join(distDir, dataDir), '.cjs')) rmSync(posix.join(distDir, dataDir, copy));
  return rewritten;
}
