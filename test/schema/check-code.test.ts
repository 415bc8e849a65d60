// schema:diff --check-code: a user's folder checked against the SDK a new release
// would give lists, by file and line, what stops compiling, and nothing that
// failed already or that the release leaves alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { copyRelease, copySchemaTree, pinnedRelease, type SchemaTree } from '../fakes/schema-tree.js';
import { repoRoot } from '../support/paths.js';

let tree: SchemaTree;
let release: string;
let code: string;

before(async () => {
  tree = await copySchemaTree();
  // The next release, as far as this test is concerned: users.search and the
  // users_fields value "city" are gone.
  release = await copyRelease(pinnedRelease, join(tree.scratch, 'next-release'));
  const methodsFile = join(release, 'users/methods.json');
  const methods = JSON.parse(await readFile(methodsFile, 'utf8'));
  methods.methods = methods.methods.filter((m: { name: string }) => m.name !== 'users.search');
  await writeFile(methodsFile, JSON.stringify(methods));
  const objectsFile = join(release, 'users/objects.json');
  const objects = JSON.parse(await readFile(objectsFile, 'utf8'));
  objects.definitions.users_fields.enum = objects.definitions.users_fields.enum.filter((v: string) => v !== 'city');
  await writeFile(objectsFile, JSON.stringify(objects));

  code = join(tree.scratch, 'app');
  await mkdir(join(code, 'lib'), { recursive: true });
  await writeFile(
    join(code, 'main.ts'),
    [
      "import { API } from 'vk-typed';",
      '',
      "const api = new API({ accessToken: 'token' });",
      '',
      'export async function run(): Promise<void> {',
      "  const [user] = await api.users.get({ user_ids: [1], fields: ['city', 'photo_100'] });",
      '  console.log(user?.first_name);',
      "  const found = await api.users.search({ q: 'Pavel' });",
      '  console.log(found.count);',
      '}',
      '',
    ].join('\n'),
  );
  // Untouched by the release, and one error of its own that is not the release's doing.
  await writeFile(
    join(code, 'lib/wall.ts'),
    "import { API } from 'vk-typed';\n\nexport const posts = new API({ accessToken: 't' }).wall.get({ domain: 'durov' });\nexport const broken: number = 'not a number';\n",
  );
});

after(() => tree?.dispose());

test('lists what the new release breaks, by file and line, and exits 1', async () => {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // Run from the scratch folder (paths are printed relative to it), where tsx cannot be found by name.
    const args = [
      '--import',
      import.meta.resolve('tsx'),
      join(repoRoot, 'schema/diff.ts'),
      release,
      '--check-code',
      'app',
      '--root',
      tree.root,
    ];
    execFile(process.execPath, args, { cwd: tree.scratch }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stdout,
    [
      `app: 2 type errors against the SDK from ${release} (2 files checked; 1 diagnostics fail with today's SDK too and are not listed):`,
      `  app/main.ts:6:64: TS2322 Type '"city"' is not assignable to type 'UsersFields'.`,
      `  app/main.ts:8:33: TS2339 Property 'search' does not exist on type 'UsersSection<{}>'.`,
      '',
    ].join('\n'),
  );
});
