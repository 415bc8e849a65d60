// The declarations of generated/ written into the package root's, dist/src/index.d.ts
// (and .d.cts). The emitter writes one declaration file per generated module, joined by
// about 1,300 import specifiers, and the root re-exports them through stars: a star
// re-export of 2,000 names is resolved again by every new checker, which under
// TypeScript 7's language service means after every edit, and that alone made completion
// at `api.users.` about half as slow again as against vk-io. Declared in the root itself,
// the same names need no resolving: the other declarations under dist/src import them
// from the root, and the per-module files under dist/generated are not shipped.
// Measured with bench/compare-consumers.ts and bench/lib/completion-latency.ts (bench/README.md).

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { filesUnder, moduleSpecifierOf as specifierOf } from './declaration-files.js';

const rootPath = 'src/index.d.ts';

interface Declaration {
  names: string[];
  /** From its doc comment, if any, to its end. */
  text: string;
  /** Where, in `text`, its first keyword is. */
  keywordAt: number;
  /** A class, enum, function or variable: something a runtime module exports too. */
  isValue: boolean;
}

interface ModuleDeclarations {
  declarations: Declaration[];
  exported: string[];
  /** Imports from outside generated/: module path (relative to dist/) -> names. */
  externalImports: Map<string, Set<string>>;
}

type Extension = '.js' | '.cjs';

const isDeclarationFile = (path: string) => /\.d\.c?ts$/.test(path);
const isGenerated = (path: string) => path.startsWith('generated/');

function fail(path: string, problem: string): never {
  throw new Error(`generated declarations: ${path}: ${problem}`);
}

function parse(distDir: string, path: string): { text: string; source: ts.SourceFile } {
  const text = readFileSync(posix.join(distDir, path), 'utf8');
  return { text, source: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
}

/** The names a statement declares at the top level of its module. */
function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((each) => (ts.isIdentifier(each.name) ? each.name.text : ''));
  }
  const name = (statement as ts.DeclarationStatement).name;
  return name !== undefined && ts.isIdentifier(name) ? [name.text] : [];
}

const isValueStatement = (statement: ts.Statement) =>
  ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isVariableStatement(statement);

/** Names of `{ a, b }` in an import or export clause; an alias (`a as b`) cannot be joined into one module. */
function plainNames(path: string, elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): string[] {
  return elements.map((element) => {
    if (element.propertyName !== undefined) fail(path, `renames ${element.propertyName.getText()} to ${element.name.text}`);
    return element.name.text;
  });
}

/** Where a relative specifier in `path` (relative to dist/) points, as a .d.ts path relative to dist/. */
function targetOf(path: string, specifier: string): string {
  return posix.join(posix.dirname(path), specifier).replace(/\.c?js$/, '.d.ts');
}

/** A relative specifier from the declaration file `from` to the module whose declarations are `to`. */
function specifierFrom(from: string, to: string, extension: Extension): string {
  const relative = posix.relative(posix.dirname(from), to).replace(/\.d\.ts$/, extension);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function readModule(distDir: string, path: string): ModuleDeclarations {
  const { text, source } = parse(distDir, path);
  const module: ModuleDeclarations = { declarations: [], exported: [], externalImports: new Map() };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const specifier = specifierOf(statement);
      const bindings = statement.importClause?.namedBindings;
      if (!specifier?.startsWith('.') || bindings === undefined || !ts.isNamedImports(bindings) || statement.importClause?.name) {
        fail(path, `has an import the root cannot take over: ${statement.getText()}`);
      }
      const names = plainNames(path, bindings.elements);
      const target = targetOf(path, specifier);
      if (isGenerated(target)) continue; // declared in the root as well
      const imported = module.externalImports.get(target) ?? new Set<string>();
      for (const name of names) imported.add(name);
      module.externalImports.set(target, imported);
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (statement.moduleSpecifier !== undefined || clause === undefined || !ts.isNamedExports(clause)) {
        fail(path, `has an export the root cannot take over: ${statement.getText()}`);
      }
      module.exported.push(...plainNames(path, clause.elements));
    } else {
      const names = declaredNames(statement);
      if (names.length === 0 || names.includes('')) fail(path, `has a statement that declares no plain name: ${statement.getText().slice(0, 80)}`);
      // From the declaration's doc comment, not the region markers before it.
      const start = statement.getStart(source, true);
      module.declarations.push({
        names,
        text: text.slice(start, statement.getEnd()),
        keywordAt: statement.getStart(source) - start,
        isValue: isValueStatement(statement),
      });
    }
  }
  return module;
}

/** The names the module at `path` exports: its own, or those it re-exports from generated/ (generated/index). */
function exportedNames(distDir: string, path: string, modules: ReadonlyMap<string, ModuleDeclarations>): string[] {
  const joined = modules.get(path);
  if (joined !== undefined) return joined.exported;
  const { source } = parse(distDir, path);
  return source.statements.flatMap((statement) => {
    const specifier = ts.isExportDeclaration(statement) ? specifierOf(statement) : undefined;
    if (specifier === undefined || !ts.isExportDeclaration(statement)) fail(path, `is neither joined nor re-exports only: ${statement.getText().slice(0, 80)}`);
    const clause = statement.exportClause;
    if (clause === undefined) return exportedNames(distDir, targetOf(path, specifier), modules);
    if (!ts.isNamedExports(clause)) fail(path, `has an export the root cannot take over: ${statement.getText()}`);
    return plainNames(path, clause.elements);
  });
}

interface RootFromGenerated {
  /** The root's statements that name a module under generated/. */
  statements: ts.ExportDeclaration[];
  names: Set<string>;
  /** Of those, the names the root exports as values (`export { ApiErrorCode }`), not as types only. */
  valueNames: Set<string>;
}

function rootFromGenerated(distDir: string, source: ts.SourceFile, modules: ReadonlyMap<string, ModuleDeclarations>): RootFromGenerated {
  const found: RootFromGenerated = { statements: [], names: new Set(), valueNames: new Set() };
  for (const statement of source.statements) {
    const specifier = ts.isExportDeclaration(statement) || ts.isImportDeclaration(statement) ? specifierOf(statement) : undefined;
    if (specifier === undefined || !specifier.startsWith('.') || !isGenerated(targetOf(source.fileName, specifier))) continue;
    if (!ts.isExportDeclaration(statement)) fail(source.fileName, `imports from generated/: ${statement.getText()}`);
    const clause = statement.exportClause;
    if (clause !== undefined && !ts.isNamedExports(clause)) fail(source.fileName, `has an export it cannot declare itself: ${statement.getText()}`);
    if (clause === undefined && !statement.isTypeOnly) fail(source.fileName, `re-exports the values of generated/ by a star: ${statement.getText()}`);
    const names = clause === undefined ? exportedNames(distDir, targetOf(source.fileName, specifier), modules) : plainNames(source.fileName, clause.elements);
    for (const name of names) found.names.add(name);
    for (const element of clause?.elements ?? []) {
      if (!statement.isTypeOnly && !element.isTypeOnly) found.valueNames.add(element.name.text);
    }
    found.statements.push(statement);
  }
  return found;
}

/**
 * The root's declarations with generated/'s in them: exported as the root exported
 * them before (a class the root exports as a type only stays one), the rest unexported.
 */
function rootText(distDir: string, path: string, modules: ReadonlyMap<string, ModuleDeclarations>, extension: Extension): { text: string; names: ReadonlySet<string> } {
  const { text, source } = parse(distDir, path);
  const fromGenerated = rootFromGenerated(distDir, source, modules);
  let kept = '';
  let copiedTo = 0;
  for (const statement of fromGenerated.statements) {
    kept += text.slice(copiedTo, statement.getFullStart());
    copiedTo = statement.getEnd();
  }
  kept += text.slice(copiedTo);

  const declarations = [...modules.values()].flatMap((each) => each.declarations);
  const typeOnly = new Set<string>();
  for (const { names, isValue } of declarations) {
    for (const name of names) if (isValue && fromGenerated.names.has(name) && !fromGenerated.valueNames.has(name)) typeOnly.add(name);
  }
  const imports = new Map<string, Set<string>>();
  for (const [target, names] of [...modules.values()].flatMap((each) => [...each.externalImports])) {
    imports.set(target, new Set([...(imports.get(target) ?? []), ...names]));
  }
  const lines = [kept.trimEnd(), '', '// The declarations of generated/, written here by scripts/generated-declarations.ts.'];
  for (const [target, names] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`import { ${[...names].sort().join(', ')} } from '${specifierFrom(rootPath, target, extension)}';`);
  }
  for (const { names, text: declaration, keywordAt } of declarations) {
    const exported = names.some((name) => fromGenerated.names.has(name) && !typeOnly.has(name));
    lines.push(exported ? `${declaration.slice(0, keywordAt)}export ${declaration.slice(keywordAt)}` : declaration);
  }
  if (typeOnly.size > 0) lines.push(`export type { ${[...typeOnly].sort().join(', ')} };`);
  return { text: `${lines.join('\n')}\n`, names: fromGenerated.names };
}

/** Rewrites, in the declaration file at `path`, every import from generated/ to import from the root, which declares it. */
function importFromRoot(distDir: string, path: string, rootNames: ReadonlySet<string>, extension: Extension): void {
  const { text, source } = parse(distDir, path);
  let out = '';
  let copiedTo = 0;
  for (const statement of source.statements) {
    const specifier = ts.isExportDeclaration(statement) || ts.isImportDeclaration(statement) ? specifierOf(statement) : undefined;
    if (specifier === undefined || !specifier.startsWith('.') || !isGenerated(targetOf(path, specifier))) continue;
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (bindings === undefined || !ts.isNamedImports(bindings)) fail(path, `names generated/ other than by a named import: ${statement.getText()}`);
    const missing = plainNames(path, bindings.elements).filter((name) => !rootNames.has(name));
    if (missing.length > 0) fail(path, `imports ${missing.join(', ')} from generated/, which src/index.ts does not export`);
    const literal = (statement as ts.ImportDeclaration).moduleSpecifier;
    out += `${text.slice(copiedTo, literal.getStart(source))}'${specifierFrom(path, rootPath, extension)}'`;
    copiedTo = literal.getEnd();
  }
  if (copiedTo > 0) writeFileSync(posix.join(distDir, path), out + text.slice(copiedTo));
}

/**
 * Writes the declarations under `distDir`/generated (but validation/, which no
 * declaration names) into `distDir`/src/index.d.ts and .d.cts, points the other
 * declarations under `distDir`/src at the root for them, and removes the files under
 * `distDir`/generated that it replaced. Returns the number of modules taken in.
 */
export function writeGeneratedDeclarations(distDir: string): number {
  const generatedDir = posix.join(distDir, 'generated');
  const modules = new Map<string, ModuleDeclarations>();
  for (const file of filesUnder(generatedDir)) {
    if (file.endsWith('.d.ts') && file !== 'index.d.ts' && !file.startsWith('validation/')) modules.set(`generated/${file}`, readModule(distDir, `generated/${file}`));
  }
  const declaredIn = new Map<string, string>();
  for (const [path, module] of modules) {
    for (const name of [...module.externalImports.values()].flatMap((names) => [...names])) declaredIn.set(name, `${path} (an import)`);
  }
  for (const [path, module] of modules) {
    for (const name of module.declarations.flatMap((each) => each.names)) {
      const other = declaredIn.get(name);
      if (other !== undefined && other !== path) fail(path, `declares ${name}, which ${other} declares too`);
      declaredIn.set(name, path);
    }
  }
  const roots = (['.js', '.cjs'] as const).map((extension) => {
    const path = rootPath.replace(/\.d\.ts$/, extension === '.js' ? '.d.ts' : '.d.cts');
    return { path, ...rootText(distDir, path, modules, extension) };
  });
  const rootNames = roots[0]!.names;
  for (const path of filesUnder(posix.join(distDir, 'src')).filter(isDeclarationFile)) {
    if (`src/${path}`.replace(/\.d\.cts$/, '.d.ts') !== rootPath) importFromRoot(distDir, `src/${path}`, rootNames, path.endsWith('.d.cts') ? '.cjs' : '.js');
  }
  for (const { path, text } of roots) writeFileSync(posix.join(distDir, path), text);
  for (const path of filesUnder(generatedDir).filter(isDeclarationFile)) rmSync(posix.join(generatedDir, path));
  return modules.size;
}
