// What the build's post-processing steps (reexport-declarations.ts,
// generated-declarations.ts, shared-data-modules.ts) share when they read dist/.

import { readdirSync } from 'node:fs';
import ts from 'typescript';

/** Every file under `dir` ending in `extension` (relative to `dir`, `/`-separated), in a stable order. */
export function filesUnder(dir: string, extension = ''): string[] {
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((each) => each.split('\\').join('/'))
    .filter((each) => each.endsWith(extension))
    .sort();
}

/** The module an import or export names, or undefined (a local `export { a }`). */
export function moduleSpecifierOf(statement: ts.ImportDeclaration | ts.ExportDeclaration): string | undefined {
  const literal = statement.moduleSpecifier;
  return literal !== undefined && ts.isStringLiteral(literal) ? literal.text : undefined;
}
