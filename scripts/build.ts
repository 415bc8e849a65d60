// `npm run build`: dist/ for the package, ESM (.js, .d.ts) and CommonJS (.cjs, .d.cts)
// from one tsdown run. One output file per source file, as tsc lays them out, so what
// the SDK loads on first use (undici, the validators and their generated data, the
// login pages' parser) stays out of start-up in both module systems. The entry points
// are package.json's `exports` subpaths and `bin` commands (see package-entries.ts).
//
// Why tsdown and not two tsc passes: tsc emits CommonJS from these sources only with
// `module: commonjs` and node10 resolution (deprecated in TypeScript 6, gone in 7),
// and refuses the `import.meta.url` that the lazy loaders need; tsdown's CommonJS
// output turns it into the file's own URL (`shims`). Declarations still come from
// TypeScript's own emitter (with tsconfig.build.json's stripInternal), one set per
// module system, as @arethetypeswrong/cli expects; but a module that only re-exports
// keeps its own text as its declarations (reexport-declarations.ts), generated/'s
// declarations are written into the root's (generated-declarations.ts), and the
// validation data ships once, as ESM (shared-data-modules.ts).

import { build } from 'tsdown';
import { binSources, packageEntries, readManifest, repoRoot } from './package-entries.js';
import { writeGeneratedDeclarations } from './generated-declarations.js';
import { writeReexportDeclarations } from './reexport-declarations.js';
import { shareDataModules } from './shared-data-modules.js';

const manifest = await readManifest();
const entry = [...packageEntries(manifest).map((each) => each.source), ...binSources(manifest)];
const started = performance.now();

await build({
  config: false,
  cwd: repoRoot,
  entry,
  root: '.',
  unbundle: true,
  format: ['esm', 'cjs'],
  fixedExtension: false, // .js and .d.ts for ESM ("type": "module"), .cjs and .d.cts for CommonJS
  platform: 'node',
  target: 'node20.18',
  shims: true,
  // Packages stay imports: a package the build would copy into dist/ is an error
  // (declare it in dependencies or peerDependencies instead).
  deps: { onlyBundle: [] },
  tsconfig: 'tsconfig.build.json',
  dts: { tsconfig: 'tsconfig.build.json' },
  sourcemap: false,
  outDir: 'dist',
  clean: true,
  logLevel: 'warn',
  checks: { pluginTimings: false }, // the declarations take most of the time, as they should
});
const reexporting = writeReexportDeclarations(repoRoot, 'dist', packageEntries(manifest).map((each) => each.source));
// After the re-exports: it reads the root's and generated/index's, as written from source.
const joined = writeGeneratedDeclarations(`${repoRoot}/dist`);
const sharedLoads = shareDataModules(`${repoRoot}/dist`);
console.log(
  `build: ${entry.join(', ')} -> dist/ (ESM and CommonJS) in ${Math.round(performance.now() - started)} ms; ` +
    `declarations of ${reexporting.join(', ')} as written (re-exports only), of ${joined} generated modules in the root's; ` +
    `validation data as ESM only (${sharedLoads} CommonJS loads of it)`,
);
