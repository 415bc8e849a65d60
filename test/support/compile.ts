// Type-checks a set of files with the TypeScript compiler API, in a temp folder
// laid out like the repo, and returns the diagnostics as readable lines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export const strictOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/** path (relative to a temp root) -> source; returns "file:line: message" per diagnostic. */
export function typeCheck(files: Map<string, string>, options: ts.CompilerOptions = strictOptions): string[] {
  const root = mkdtempSync(join(tmpdir(), 'vk-typed-tsc-'));
  try {
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    for (const [path, source] of files) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), source);
    }
    const program = ts.createProgram(
      [...files.keys()].map((p) => join(root, p)),
      options,
    );
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file) return message;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${d.file.fileName.slice(root.length + 1)}:${line + 1}: ${message}`;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
