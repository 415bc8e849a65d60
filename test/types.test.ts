// Type tests: each file in test/types/ must compile with no diagnostics under the
// project's compiler options. Unused `@ts-expect-error` directives are
// diagnostics too, so every line marked to fail must really fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test/types');

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

test('type tests: every @ts-expect-error fails and everything else compiles', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.ts')).map((f) => join(fixtures, f));
  const program = ts.createProgram(files, compilerOptions());
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(root.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  assert.deepEqual(diagnostics, []);
  const expected = files.reduce((n, f) => n + (readFileSync(f, 'utf8').match(/@ts-expect-error/g) ?? []).length, 0);
  assert.ok(expected >= 30, `only ${expected} @ts-expect-error cases`);
});
