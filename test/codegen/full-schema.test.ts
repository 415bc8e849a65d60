// The real schema end to end: every method, object, response and error is
// generated, the output is deterministic, matches the committed generated/,
// and compiles under --strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { Project } from 'ts-morph';
import { flattenObject } from '../../codegen/emit-definitions.js';
import { formatSources } from '../../codegen/format.js';
import { generateSources } from '../../codegen/generate.js';
import { readCorrections } from '../../codegen/corrections.js';
import { pinOf } from '../../codegen/schema-pin.js';
import { compareOutput } from '../../codegen/write.js';
import { strictOptions } from '../support/compile.js';
import { repoRoot } from '../support/paths.js';

const schemaDir = process.env.VK_API_SCHEMA_DIR ?? resolve(repoRoot, 'schema/vk-api-schema');
const corrections = readCorrections(resolve(repoRoot, 'schema/corrections'));
const pin = await pinOf(schemaDir);
const generate = () => generateSources(schemaDir, corrections, pin);

test('the pinned schema generates all 566 methods, 642 objects (and the corrections\' new ones), 425 responses and 251 errors', () => {
  const { model } = generate();
  const kinds = Object.values(model.schema.origins);
  assert.equal(model.methods.length, 566);
  const added = Object.keys(corrections.newDefinitions ?? {}).length;
  assert.equal(kinds.filter((o) => o.kind === 'objects').length, 642 + added, 'the schema objects, and those the corrections add');
  assert.equal(kinds.filter((o) => o.kind === 'responses').length, 425);
  assert.equal(model.errors.length, 251);
  // 43 dotted sections, plus execute, which belongs to none.
  assert.equal(model.sections.length, 43);
  const params = model.methods.reduce((n, m) => n + m.params.length, 0);
  const addedParams = Object.values(corrections.methods ?? {}).reduce((n, c) => n + (c.addParams?.length ?? 0), 0);
  assert.equal(params, 2379 + addedParams, 'every schema param, plus those the corrections add');
});

test('generation is deterministic and generated/ is what the generator writes', async () => {
  const config = resolve(repoRoot, '.prettierrc.json');
  const first = await formatSources(generate().files, config);
  const second = await formatSources(generate().files, config);
  assert.deepEqual([...first.keys()], [...second.keys()]);
  for (const [path, source] of first) assert.equal(second.get(path), source, `${path} differs between two runs`);
  const drift = compareOutput(resolve(repoRoot, 'generated'), first);
  assert.deepEqual(drift, { changed: [], missing: [], extra: [] }, 'run `npm run generate` and commit the result');
});

test('generated/ compiles under --strict with noUncheckedIndexedAccess, and params have no index signatures', () => {
  const program = ts.createProgram([resolve(repoRoot, 'generated/index.ts'), resolve(repoRoot, 'generated/sections.ts'), resolve(repoRoot, 'generated/methods.ts'), resolve(repoRoot, 'generated/errors.ts')], {
    ...strictOptions,
    noUncheckedIndexedAccess: true,
    types: ['node'],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diagnostics, []);
  for (const file of program.getSourceFiles().filter((f) => f.fileName.includes('/generated/sections/'))) {
    assert.doesNotMatch(file.text, /\[\w+: string\]/, `${file.fileName} has an index signature`);
  }
  const header = readFileSync(resolve(repoRoot, 'generated/sections/users.ts'), 'utf8').split('\n')[1];
  assert.match(header!, /Do not edit/);
});

test('no property or param is dropped, and every required one is required (read back with ts-morph)', () => {
  const { model } = generate();
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  project.addSourceFilesAtPaths(resolve(repoRoot, 'generated/**/*.ts'));
  const moduleFile = (module: string) => project.getSourceFileOrThrow(resolve(repoRoot, `generated/${module}.ts`));
  let checked = 0;
  for (const [definition, node] of Object.entries(model.schema.definitions)) {
    const shown = model.schema.origins[definition]!.kind === 'responses' ? node.properties!['response']! : node;
    const flat = flattenObject(shown, model.schema.definitions);
    if (!flat) continue;
    const declaration = moduleFile(model.index.moduleOf(definition)).getInterfaceOrThrow(model.index.typeName(definition));
    // Through the checker: an interface may inherit its members from the definitions it extends.
    const members = new Map(declaration.getType().getProperties().map((member) => [member.getName(), member]));
    for (const [name] of Object.entries(flat.properties)) {
      const property = members.get(name);
      assert.ok(property, `${definition}.${name} is missing from ${declaration.getName()}`);
      assert.equal(property.hasFlags(ts.SymbolFlags.Optional), !flat.required.has(name), `${definition}.${name}: required-ness`);
      checked++;
    }
    assert.equal(members.size, Object.keys(flat.properties).length, `${definition}: extra members`);
  }
  for (const method of model.methods) {
    const file = moduleFile(method.paramsModule);
    if (method.params.length === 0) {
      assert.ok(file.getTypeAliasOrThrow(method.paramsType));
      continue;
    }
    const declaration = file.getInterfaceOrThrow(method.paramsType);
    assert.equal(declaration.getIndexSignatures().length, 0, `${method.paramsType} has an index signature`);
    for (const param of method.params) {
      const property = declaration.getPropertyOrThrow(param.name);
      assert.equal(property.hasQuestionToken(), !param.required, `${method.name}(${param.name}): required-ness`);
      checked++;
    }
  }
  assert.ok(checked > 2385 + 5000, `only ${checked} properties and params checked`);
});

test('generated/README.md names the pinned release, every correction and how to regenerate', async () => {
  const { files, correctionsApplied } = generate();
  const readme = files.get('README.md')!;
  const lock = JSON.parse(readFileSync(resolve(repoRoot, 'schema/lock.json'), 'utf8')) as { tag: string; commit: string };
  assert.ok(readme.includes(`VKCOM/vk-api-schema ${lock.tag} (commit ${lock.commit})`), 'the pinned release');
  for (const { target, why } of correctionsApplied) assert.ok(readme.includes(`  - \`${target}\`: ${why} (`), `the correction of ${target}`);
  assert.match(readme, /^<!-- Generated by vk-typed codegen\. Do not edit/);
  assert.ok(readme.includes('npm run generate -- --check'));
  const unpinned = generateSources(schemaDir, corrections).files.get('README.md')!;
  assert.ok(unpinned.includes('a schema folder that `schema/lock.json` does not pin'));
});
