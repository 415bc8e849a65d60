// `schema:diff --check-code DIR`: what in a user's code would stop compiling if the
// SDK were generated from a new schema release. The code is checked twice, against
// the SDK as it is (generated/ on disk) and against the one the new release gives
// (generated in memory, with the project's corrections that still apply); only
// what fails the second time and not the first is listed.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { readCorrections, type Corrections } from '../codegen/corrections.js';
import { generateSources } from '../codegen/generate.js';
import { findStaleCorrections, type StaleFinding } from './stale-corrections.js';
import { checkFiles, compilerOptions, introduced, sourceFiles, type Diagnostic } from './typecheck.js';

const { ModuleKind, ModuleResolutionKind } = ts;

export interface CodeCheck {
  /** Diagnostics the new SDK causes, by file and line. */
  breaks: Diagnostic[];
  /** Diagnostics the code has against both SDKs, today's and the new one (not listed). */
  alreadyFailing: number;
  /** How many files were checked. */
  files: number;
  /** Corrections left out because the new release no longer fits them. */
  staleCorrections: StaleFinding[];
}

export interface CodeCheckOptions {
  /** The tree holding src/, generated/ and schema/corrections/. */
  root: string;
  /** The user's source folder. */
  codeDir: string;
  /** The new schema release. */
  schemaDir: string;
}

/** The corrections without the stale ones, so that the new SDK can be generated anyway. */
function withoutStale(corrections: Corrections, stale: StaleFinding[]): Corrections {
  const kept = structuredClone(corrections);
  for (const { kind, entry, index } of stale) {
    const entries = kept[kind] as Record<string, unknown> | undefined;
    const value = entries?.[entry];
    // In a list, only the stale correction goes (marked here, dropped below, so that indexes hold).
    if (Array.isArray(value) && index !== undefined) value[index] = null;
    else delete entries?.[entry];
  }
  for (const [entry, value] of Object.entries(kept.definitions ?? {})) {
    if (!Array.isArray(value)) continue;
    const left = value.filter((correction) => correction !== null);
    if (left.length > 0) kept.definitions![entry] = left;
    else delete kept.definitions![entry];
  }
  return kept;
}

/**
 * The user's compiler options (their tsconfig.json), else the tree's with module
 * settings that take ES modules or CommonJS alike; 'vk-typed' resolves to the tree.
 */
function optionsFor(root: string, codeDir: string): ts.CompilerOptions {
  const own = join(codeDir, 'tsconfig.json');
  const options = existsSync(own)
    ? compilerOptions(own)
    : {
        ...compilerOptions(join(root, 'tsconfig.json')),
        module: ModuleKind.ESNext,
        moduleResolution: ModuleResolutionKind.Bundler,
        verbatimModuleSyntax: false,
      };
  const typeRoots = [join(codeDir, 'node_modules/@types'), join(root, 'node_modules/@types')].filter((dir) =>
    existsSync(dir),
  );
  return {
    ...options,
    typeRoots: options.typeRoots ?? typeRoots,
    paths: { ...options.paths, 'vk-typed': [join(root, 'src/index.ts')] },
  };
}

export function checkCode({ root, codeDir, schemaDir }: CodeCheckOptions): CodeCheck {
  const tree = resolve(root);
  const correctionsDir = join(tree, 'schema/corrections');
  const staleCorrections = findStaleCorrections(schemaDir, correctionsDir);
  const corrections = withoutStale(readCorrections(correctionsDir), staleCorrections);
  // Unformatted: only the user's files' diagnostics are reported, so generated line numbers do not matter.
  const { files: generated } = generateSources(schemaDir, corrections);
  const files = sourceFiles(resolve(codeDir));
  const options = optionsFor(tree, resolve(codeDir));
  const cache = new Map<string, ts.SourceFile>();
  const after = checkFiles({ root: tree, files, options, cache, generated });
  // Today's SDK is only consulted when there is something to tell apart.
  const breaks = after.length === 0 ? [] : introduced(after, checkFiles({ root: tree, files, options, cache }));
  return { breaks, alreadyFailing: after.length - breaks.length, files: files.length, staleCorrections };
}
