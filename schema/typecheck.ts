// Type-checks code against an SDK whose generated/ folder is held in memory: the
// SDK a new schema release would give, before anything is written. Code may
// import the SDK as 'vk-typed' (mapped to the tree's src/index.ts) or by a path
// into the tree; either way it sees the in-memory generated/.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

/** A tsconfig's compiler options, for checking only (nothing is emitted). */
export function compilerOptions(tsconfig: string): ts.CompilerOptions {
  const config = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (config.error) throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(config.error.messageText, '\n')}`);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfig));
  return { ...options, noEmit: true, incremental: false, composite: false };
}

/** Every .ts/.tsx/.mts/.cts file below dir, leaving out node_modules and dot-folders. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(c|m)?tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (path) =>
        !relative(dir, path)
          .split(sep)
          .some((part) => part === 'node_modules' || part.startsWith('.')),
    )
    .sort();
}

export interface CheckOptions {
  /** The tree holding src/ and generated/. */
  root: string;
  /** The files to check. */
  files: string[];
  options: ts.CompilerOptions;
  /** generated/ as the new schema would write it (path relative to generated/ -> source); the disk's when absent. */
  generated?: ReadonlyMap<string, string>;
  /** Parsed files shared between checks, so that a second check does not parse src/ again. */
  cache?: Map<string, ts.SourceFile>;
}

function hostFor({ root, options, generated, cache = new Map() }: CheckOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const generatedDir = resolve(root, 'generated') + sep;
  const virtual = (path: string) =>
    generated && path.startsWith(generatedDir) ? path.slice(generatedDir.length).split(sep).join('/') : undefined;
  const { fileExists, readFile, directoryExists, getSourceFile } = host;
  host.fileExists = (path) => {
    const key = virtual(path);
    return key === undefined ? fileExists.call(host, path) : generated!.has(key);
  };
  host.readFile = (path) => {
    const key = virtual(path);
    return key === undefined ? readFile.call(host, path) : generated!.get(key);
  };
  host.directoryExists = (path) => {
    const key = virtual(`${path}${sep}`);
    if (key === undefined) return directoryExists?.call(host, path) ?? existsSync(path);
    return key === '' || [...generated!.keys()].some((file) => file.startsWith(key));
  };
  host.getSourceFile = (path, language, ...rest) => {
    const key = virtual(path);
    if (key !== undefined) {
      const text = generated!.get(key);
      return text === undefined ? undefined : ts.createSourceFile(path, text, language);
    }
    let file = cache.get(path);
    if (!file) {
      file = getSourceFile.call(host, path, language, ...rest);
      if (file) cache.set(path, file);
    }
    return file;
  };
  return host;
}

/** The diagnostics of the given files (and only of them). */
export function checkFiles(check: CheckOptions): Diagnostic[] {
  const program = ts.createProgram(check.files, check.options, hostFor(check));
  const diagnostics: Diagnostic[] = [];
  for (const path of check.files) {
    const file = program.getSourceFile(path);
    if (!file) continue;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const { line, character } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      diagnostics.push({
        file: path,
        line: line + 1,
        column: character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }
  }
  return diagnostics;
}

/** The diagnostics of `after` that `before` lacks (same file, line and code: messages name types that may be renamed). */
export function introduced(after: Diagnostic[], before: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.file}:${d.line}:${d.code}`;
  const known = new Set(before.map(key));
  return after.filter((d) => !known.has(key(d)));
}

/** `file:line:column: TS2339 message` */
export function formatDiagnostic(d: Diagnostic, from = process.cwd()): string {
  const path = relative(from, d.file);
  return `${path.startsWith('..') ? d.file : path}:${d.line}:${d.column}: TS${d.code} ${d.message}`;
}
