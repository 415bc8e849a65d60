// Type tests: each file in test/types/ must compile with no diagnostics under the
// project's compiler options. Unused `@ts-expect-error` directives are
// diagnostics too, so every line marked to fail must really fail. The README's
// usage example is compiled the same way, so the README stays true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/paths.js';

const fixtures = join(repoRoot, 'test/types');

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot).options;
}

/** README sections whose first ```ts block must compile as it stands. */
const compiledReadmeSections = [
  'Usage',
  'Events',
  'Uploads',
  'VK ID',
  'Several workers on one token, and token pools',
  'Your own HTTP layer',
  'Types that tell the truth',
  'Testing your code',
];

/** The first ```ts block under `## <heading>`, importing the package from src/ as the fixtures do. */
function readmeExample(heading: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  // The first ts block before the next section's heading.
  const block = new RegExp(`## ${heading}\n(?:(?!\n## )[\\s\\S])*?\`\`\`ts\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  assert.ok(block, `README.md has no \`\`\`ts block under "## ${heading}"`);
  const fromSource = block
    .replaceAll("'vk-typed'", "'../../src/index.js'")
    .replace(/'vk-typed\/([a-z]+)'/g, "'../../src/$1/index.js'");
  return `${fromSource}\nexport {};\n`;
}

/** Type-checks `files` plus virtual ones (path -> source) and returns the diagnostics. */
function diagnose(files: string[], virtual: Map<string, string>): string[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, ...rest) =>
    virtual.has(path)
      ? ts.createSourceFile(path, virtual.get(path)!, language)
      : getSourceFile.call(host, path, language, ...rest);
  const program = ts.createProgram([...files, ...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(repoRoot.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test('type tests: every @ts-expect-error fails, and the rest and the README example compile', () => {
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(fixtures, f));
  const virtual = new Map(
    compiledReadmeSections.map((heading, n) => [join(fixtures, `readme-example-${n}.ts`), readmeExample(heading)]),
  );
  assert.deepEqual(diagnose(files, virtual), []);
  const expected = files.reduce((n, f) => n + (readFileSync(f, 'utf8').match(/@ts-expect-error/g) ?? []).length, 0);
  assert.ok(expected >= 30, `only ${expected} @ts-expect-error cases`);
});
