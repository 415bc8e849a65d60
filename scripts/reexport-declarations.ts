// The declarations of an entry that only re-exports (src/index.ts; generated/index.ts,
// which generated-declarations.ts then reads and takes into the root's) are its own text. tsdown instead writes every name such a module ends up exporting:
// for the package root, about 4,000 names imported and exported again, 105 KB that
// every consumer's compiler parses, binds and resolves before it reaches `API`
// (about a fifth of the instructions the SDK added to a consumer's type-check under
// TypeScript 5.9: BENCH_INSTRUCTIONS=3 npx tsx bench/compare-consumers.ts). So the build writes those modules' declarations from
// their source, relative specifiers pointing at `.cjs` files in the `.d.cts` copy.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { moduleSpecifierOf } from './declaration-files.js';

interface ReexportModule {
  text: string;
  statements: ts.ExportDeclaration[];
}

/** The `export ... from '...'` statements of a module that holds nothing else, or undefined. */
function reexportsOf(root: string, source: string): ReexportModule | undefined {
  const text = readFileSync(posix.join(root, source), 'utf8');
  const { statements } = ts.createSourceFile(source, text, ts.ScriptTarget.Latest, true);
  const isReexport = (statement: ts.Statement): statement is ts.ExportDeclaration =>
    ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined;
  return statements.length > 0 && statements.every(isReexport) ? { text, statements: [...statements] } : undefined;
}


/** `text` with every relative `.js` specifier of `statements` ending in `.cjs` instead. */
function forCommonJs(text: string, statements: readonly ts.ExportDeclaration[]): string {
  let out = text;
  // From the end, so that earlier positions stay valid.
  for (const statement of [...statements].reverse()) {
    const literal = statement.moduleSpecifier!;
    const specifier = moduleSpecifierOf(statement)!; // reexportsOf keeps only `export ... from '...'`
    if (!specifier.startsWith('.') || !specifier.endsWith('.js')) continue;
    out = `${out.slice(0, literal.getStart())}'${specifier.slice(0, -'.js'.length)}.cjs'${out.slice(literal.getEnd())}`;
  }
  return out;
}

/**
 * Rewrites, under `outDir`, the `.d.ts` and `.d.cts` of each of `sources` (paths
 * relative to `root`) that only re-exports, and of the re-export-only modules those
 * re-export in turn; every module they name must have been built. Returns the sources
 * rewritten.
 */
export function writeReexportDeclarations(root: string, outDir: string, sources: readonly string[]): string[] {
  const written: string[] = [];
  const read = new Map<string, ReexportModule | undefined>();
  const reexports = (source: string) => (read.has(source) ? read.get(source) : read.set(source, reexportsOf(root, source)).get(source));
  const queue = [...sources];
  for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
    const module = written.includes(source) ? undefined : reexports(source);
    if (module === undefined) continue;
    for (const statement of module.statements) {
      const specifier = moduleSpecifierOf(statement)!; // reexportsOf keeps only `export ... from '...'`
      if (!specifier.startsWith('.')) continue;
      const target = posix.join(posix.dirname(source), specifier).replace(/\.js$/, '.ts');
      // A star re-export of a module that only re-exports too: that one is written from its source as well.
      if (statement.exportClause === undefined && reexports(target) !== undefined) queue.push(target);
      else if (!existsSync(posix.join(root, outDir, target.replace(/\.ts$/, '.d.ts')))) {
        throw new Error(`${source} re-exports ${specifier}, whose declarations the build did not write`);
      }
    }
    const base = posix.join(root, outDir, source.replace(/\.ts$/, ''));
    writeFileSync(`${base}.d.ts`, module.text);
    writeFileSync(`${base}.d.cts`, forCommonJs(module.text, module.statements));
    written.push(source);
  }
  return written;
}
