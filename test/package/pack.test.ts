// The package as a user gets it: built, packed, and installed into a fresh project
// from the npm cache (nothing is fetched); loaded there with `import` and with
// `require`, calling a fake VK server; type-checked as a consumer's code with
// TypeScript 5.9 and TypeScript 7; and weighed against vk-io 4.10's install.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';
import { binCommands, packageEntries, readManifest, type PackageManifest } from '../../scripts/package-entries.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { installedSize } from '../../bench/lib/packed.js';
import { installOffline, runtimeClosure } from '../support/offline-install.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const requireFromRepo = createRequire(join(repoRoot, 'package.json'));
/** The `tsc` of the TypeScript that `from` resolves (TypeScript 7 sits in a package of
 * its own, scripts/ts7, so that its tsc does not take over node_modules/.bin). */
const tscOf = (from: NodeJS.Require) => join(dirname(from.resolve('typescript/package.json')), 'bin/tsc');
const typescripts = [
  ['5.9', tscOf(requireFromRepo)],
  ['7', tscOf(createRequire(requireFromRepo.resolve('vk-typed-ts7/package.json')))],
] as const;

interface PackResult {
  filename: string;
  integrity: string;
  files: { path: string }[];
}

const manifest = await readManifest();
let work: string;
let consumer: string;
let packed: PackResult;
let server: FakeVk;

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), 'vk-typed-package-'));
    consumer = join(work, 'consumer');
    await run('npm', ['run', 'build'], { cwd: repoRoot });
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    [packed] = JSON.parse(stdout) as [PackResult];
    mkdirSync(consumer);
    copyFileSync(join(work, packed.filename), join(consumer, packed.filename));
    await installOffline(consumer, {
      dependencies: { [manifest.name]: `file:${packed.filename}` },
      packages: {
        [`node_modules/${manifest.name}`]: tarballEntry(manifest, packed),
        ...runtimeClosure(Object.keys(manifest.dependencies ?? {}), `node_modules/${manifest.name}`),
      },
    });
    server = await startFakeVk();
    server.reply('users.get', [{ id: 1, first_name: 'Pavel', last_name: 'Durov' }]);
  },
  { timeout: 240_000 },
);

after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The lock entry npm writes for a `file:` tarball dependency. */
function tarballEntry(pkg: PackageManifest, pack: PackResult) {
  const { version, license, dependencies, engines, peerDependencies, peerDependenciesMeta } = pkg as PackageManifest &
    Record<string, unknown>;
  return {
    version,
    resolved: `file:${pack.filename}`,
    integrity: pack.integrity,
    license,
    dependencies,
    engines,
    peerDependencies,
    peerDependenciesMeta,
    bin: binCommands(pkg),
  };
}

const specifier = (subpath: string) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`);

describe('the packed tarball', () => {
  test('holds the build, package.json and README only: no tests, schema, sources or source maps', () => {
    const paths = packed.files.map((file) => file.path);
    const unexpected = paths.filter(
      (path) =>
        !/^dist\/(src|generated)\/.+\.(js|cjs|d\.ts|d\.cts)$/.test(path) &&
        !['package.json', 'README.md', 'LICENSE'].includes(path),
    );
    assert.deepEqual(unexpected, []);
    const generatedDeclarations = paths.filter((path) => /^dist\/generated\/.+\.d\.c?ts$/.test(path));
    assert.deepEqual(generatedDeclarations, [], "written into the root's (scripts/generated-declarations.ts)");
    const validationData = paths.filter((path) => path.startsWith('dist/generated/validation/'));
    assert.ok(validationData.length > 0 && validationData.every((path) => path.endsWith('.js')), 'once, as ESM (scripts/shared-data-modules.ts)');
    for (const entry of packageEntries(manifest)) {
      for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
        assert.ok(paths.includes(file.slice(2)), `exports["${entry.subpath}"] names ${file}, which is not packed`);
      }
    }
    for (const bin of Object.values(binCommands(manifest))) assert.ok(paths.includes(bin), `bin ${bin} is not packed`);
  });

  test("no packed file names this machine's paths or a source map", () => {
    const installed = join(consumer, 'node_modules', manifest.name);
    const leaks = readdirSync(installed, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => {
        const text = readFileSync(path, 'utf8');
        return text.includes(repoRoot) || text.includes('sourceMappingURL');
      });
    assert.deepEqual(leaks, []);
  });

  test('package.json: types first in every condition, no side effects, main and types for old resolvers', () => {
    const raw = JSON.parse(
      readFileSync(join(consumer, 'node_modules', manifest.name, 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(raw['sideEffects'], false);
    const root = (raw['exports'] as Record<string, { require: { types: string; default: string } }>)['.'];
    assert.deepEqual([raw['main'], raw['types']], [root?.require.default, root?.require.types]);
    for (const [subpath, conditions] of Object.entries(raw['exports'] as Record<string, unknown>)) {
      if (typeof conditions === 'string') continue;
      for (const [condition, targets] of Object.entries(conditions as Record<string, object>)) {
        assert.equal(Object.keys(targets)[0], 'types', `exports["${subpath}"].${condition}`);
      }
    }
  });
});

describe('in a fresh project', () => {
  /** Loads every subpath and makes two calls (one refused by the params check,
   * which loads the validators on first use) in the given module system. */
  const script = (load: (specifier: string) => string) => `
    const subpaths = ${JSON.stringify(packageEntries(manifest).map((entry) => entry.subpath))};
    const names = {};
    for (const subpath of subpaths) {
      const specifier = subpath === '.' ? ${JSON.stringify(manifest.name)} : ${JSON.stringify(manifest.name)} + subpath.slice(1);
      names[subpath] = Object.keys(${load('specifier')}).sort();
    }
    const { API, ValidationError } = ${load(JSON.stringify(manifest.name))};
    const api = new API({ accessToken: 'package-test-token', apiBaseUrl: process.env.API_BASE_URL });
    const [user] = await api.users.get({ user_ids: [1] });
    const refused = await api.users.get({ user_ids: [true] }).catch((error) => error);
    await api.close();
    console.log(JSON.stringify({ names, user, refusedAs: refused instanceof ValidationError && refused.message }));`;

  const runIn = async (file: string, source: string) => {
    writeFileSync(join(consumer, file), source);
    const { stdout } = await run(process.execPath, [file], {
      cwd: consumer,
      env: { ...process.env, API_BASE_URL: server.apiBaseUrl },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as { names: Record<string, string[]>; user: unknown; refusedAs: string | false };
  };

  test('import and require give the same exports, and both call VK and check params', async () => {
    const esm = await runIn(
      'load.mjs',
      script((id) => `await import(${id})`),
    );
    const cjs = await runIn('load.cjs', `(async () => {${script((id) => `require(${id})`)}\n})();`);
    assert.deepEqual(esm.names, cjs.names);
    assert.ok(esm.names['.']?.includes('API') && esm.names['.'].includes('ApiError'));
    for (const result of [esm, cjs]) {
      assert.deepEqual(result.user, { id: 1, first_name: 'Pavel', last_name: 'Durov' });
      assert.match(String(result.refusedAs), /user_ids\[0\]/);
    }
    const sent = server.requests.filter((request) => request.path === '/method/users.get');
    assert.equal(sent.length, 2, 'the refused calls were never sent');
  });

  if (manifest.bin !== undefined) {
    test('the command line tool is installed and runs', async () => {
      for (const bin of Object.keys(binCommands(manifest))) {
        const { stdout } = await run(join(consumer, 'node_modules', '.bin', bin), ['--help'], {
          cwd: consumer,
          timeout: 30_000,
        });
        assert.match(stdout, new RegExp(bin));
      }
    });
  }

  test("every entry's declarations export the names its source does, to ESM and to CommonJS", () => {
    const entries = packageEntries(manifest);
    const installed = join(consumer, 'node_modules', manifest.name);
    const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, types: [] };
    const exportsOf = (files: readonly string[]) => {
      const program = ts.createProgram(files, options);
      const checker = program.getTypeChecker();
      return files.map((file) => {
        const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
        const kinds = checker.getExportsOfModule(module).map((symbol) => {
          const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
          const kind = (target.declarations ?? []).length === 0 ? 'unresolved' : target.flags & ts.SymbolFlags.Value ? 'value' : 'type';
          return { name: symbol.name, kind };
        });
        const typeOnly = typeOnlyValues(file, kinds.filter((each) => each.kind === 'value').map((each) => each.name));
        return kinds.map(({ name, kind }) => `${name}: ${typeOnly.has(name) ? 'type-only value' : kind}`).sort();
      });
    };
    // A class or constant exported with `export type` is a type to its importers (and absent
    // at run time): told apart by using each as a value, in a probe beside the entry.
    let probes = 0;
    const typeOnlyValues = (file: string, names: readonly string[]) => {
      // CommonJS declarations from a CommonJS probe: imported into ESM, a `export type *` of theirs does not hide values.
      const commonJs = file.endsWith('.d.cts');
      const probe = join(work, `probe-${++probes}.${commonJs ? 'cts' : 'mts'}`);
      const lines = [`import * as entry from ${JSON.stringify(file.replace(/\.d\.c?ts$|\.ts$/, commonJs ? '.cjs' : '.js'))};`, ...names.map((name) => `entry.${name};`)];
      writeFileSync(probe, lines.join('\n'));
      const program = ts.createProgram([probe], options);
      return new Set(program.getSemanticDiagnostics(program.getSourceFile(probe)).map((each) => names[each.file!.getLineAndCharacterOfPosition(each.start!).line - 1]!));
    };
    const fromSource = exportsOf(entries.map((entry) => join(repoRoot, entry.source)));
    for (const flavour of ['import', 'require'] as const) {
      const built = exportsOf(entries.map((entry) => join(installed, entry[flavour].types)));
      entries.forEach((entry, index) => {
        assert.ok(fromSource[index]!.length > 0 && !fromSource[index]!.some((name) => name.endsWith('unresolved')));
        assert.deepEqual(built[index], fromSource[index], `${entry.subpath} (${flavour}): ${entry[flavour].types}`);
      });
    }
  });

  const consumerTypes = (importLine: string) => `${importLine}

declare module 'vk-typed' {
  interface UsersFieldsExtension {
    is_brand_new: true;
  }
  interface UsersUserFull {
    is_brand_new?: 0 | 1;
  }
}

export async function consume(api: API): Promise<string> {
  const [user] = await api.users.get({ user_ids: [1], fields: ['city', 'is_brand_new'] });
  const fresh: 0 | 1 | undefined = user?.is_brand_new;
  const wall = await api.wall.get({ domain: 'durov', extended: true });
  const profileIds: number[] = wall.profiles.map((profile) => profile.id);
  const messageId: number = await api.messages.send({ peer_id: 1, message: 'hi', random_id: 1 });
  // @ts-expect-error a misspelt param
  await api.users.get({ user_idz: [1] });
  // @ts-expect-error a misspelt field
  await api.users.get({ fields: ['citi'] });
  try {
    await api.call('users.get', { user_ids: [1] });
  } catch (error) {
    if (error instanceof ApiError) return \`\${error.code}\`;
  }
  return \`\${user?.city?.title} \${fresh} \${profileIds.length} \${messageId}\`;
}
`;

  for (const [version, tsc] of typescripts) {
    test(`a consumer type-checks with TypeScript ${version}, as ESM and as CommonJS, library types included`, async () => {
      const { stdout: reported } = await run(process.execPath, [tsc, '--version']);
      assert.match(reported, new RegExp(`Version ${version.replace('.', '\\.')}`));
      writeFileSync(join(consumer, 'consumer.mts'), consumerTypes("import { API, ApiError } from 'vk-typed';"));
      writeFileSync(join(consumer, 'consumer.cts'), consumerTypes("import { API, ApiError } from 'vk-typed';"));
      const subpaths = packageEntries(manifest).map((entry) => specifier(entry.subpath));
      writeFileSync(
        join(consumer, 'subpaths.mts'),
        subpaths.map((id, index) => `export * as m${index} from '${id}';`).join('\n'),
      );
      writeFileSync(
        join(consumer, 'subpaths.cts'),
        subpaths.map((id, index) => `export * as m${index} from '${id}';`).join('\n'),
      );
      const config = {
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repoRoot, 'node_modules/@types')],
        },
        files: ['consumer.mts', 'consumer.cts', 'subpaths.mts', 'subpaths.cts'],
      };
      writeFileSync(join(consumer, `tsconfig.${version}.json`), JSON.stringify(config, null, 2));
      const result = await run(process.execPath, [tsc, '-p', `tsconfig.${version}.json`], { cwd: consumer }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'tsc reports no error');
      assert.equal(result.code, 0);
    });
  }
});

describe('installed size', () => {
  test("at most vk-io 4.10's, both installed from the npm cache", async (t) => {
    const vkIo = join(work, 'vk-io');
    mkdirSync(vkIo);
    await installOffline(vkIo, { dependencies: { 'vk-io': '4.10' }, packages: runtimeClosure(['vk-io']) });
    // Counted as bench/compare-install.ts counts them.
    const ours = installedSize(consumer);
    const theirs = installedSize(vkIo);
    const told = (size: typeof ours) => `${size.bytes} bytes, ${size.diskBytes} on disk, in ${size.packages} packages`;
    t.diagnostic(`${manifest.name}: ${told(ours)}`);
    t.diagnostic(`vk-io 4.10: ${told(theirs)}`);
    assert.ok(ours.bytes <= theirs.bytes, `${ours.bytes} bytes against vk-io's ${theirs.bytes}`);
    // What `du` reports, as the issue measured it: many small files cost whole blocks.
    assert.ok(ours.diskBytes <= theirs.diskBytes, `${ours.diskBytes} bytes on disk against vk-io's ${theirs.diskBytes}`);
  });
});
