// The import graph of the repository's TypeScript, read with the compiler's parser:
// what a module imports, and how (a static import, `import type`, a dynamic
// `import()`, or `typeof import()` in a type).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** An absolute .ts path for a relative specifier, else the package name (or `node:...`). */
  readonly target: string;
  /** Erased at compile time: `import type`, `export type`, `typeof import()`. */
  readonly typeOnly: boolean;
  /** `import()`: loaded on first use, not at import time. */
  readonly dynamic: boolean;
}

export function importsOf(file: string): ImportEdge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean, dynamic: boolean) => {
    if (specifier === undefined || !ts.isStringLiteral(specifier)) return;
    edges.push({ target: targetOf(file, specifier.text), typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A }` stays as an import under verbatimModuleSyntax; only `import type` is erased.
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true, false);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly, false);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function targetOf(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? specifier : packageOf(specifier);
  return resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The modules that loading `entry` loads: static imports only (type-only imports
 * are erased; dynamic `import()` waits for first use). */
export function loadedAtImport(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith('/')) return;
    for (const edge of importsOf(file)) if (!edge.typeOnly && !edge.dynamic) visit(edge.target);
  };
  visit(entry);
  return seen;
}
