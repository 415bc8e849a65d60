// scripts/generated-declarations.ts on a small dist/ written here: what the root declares,
// exports and hides, how the rest of src/'s declarations are pointed at it, and what it refuses.
// test/package/pack.test.ts type-checks the real one in a consumer.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writeGeneratedDeclarations } from '../../scripts/generated-declarations.js';

let dist: string;

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dist, path)), { recursive: true });
    writeFileSync(join(dist, path), text);
  }
}

const read = (path: string) => readFileSync(join(dist, path), 'utf8');

const smallDist = {
  'generated/types/base.d.ts': [
    '//#region generated/types/base.d.ts',
    '/** A count. */',
    'type BaseCount = number;',
    'interface BaseHidden {',
    '  x: number;',
    '}',
    '//#endregion',
    'export { BaseCount };',
  ].join('\n'),
  'generated/sections/users.d.ts': [
    'import { CallOptions } from "../../src/core/calls.js";',
    'import { BaseCount } from "../types/base.js";',
    '/** Users. */',
    'declare class UsersSection {',
    '  count(options?: CallOptions): Promise<BaseCount>;',
    '}',
    'export { UsersSection };',
  ].join('\n'),
  'generated/errors.d.ts': 'declare const ApiErrorCode: {\n  readonly Unknown: 1;\n};\ntype ApiErrorCode = 1;\nexport { ApiErrorCode };',
  'generated/validation/params.d.ts': 'declare const paramsSchemas: object;\nexport { paramsSchemas };',
  'generated/index.d.ts': "export type * from './types/base.js';\nexport type * from './sections/users.js';\n",
  'src/sessions/api.d.ts': [
    'import { UsersSection } from "../../generated/sections/users.js";',
    'import { Other } from "../core/other.js";',
    'declare class API {',
    '  users: UsersSection;',
    '  other: Other;',
    '}',
    'export { API };',
  ].join('\n'),
  'src/sessions/api.d.cts': 'import { UsersSection } from "../../generated/sections/users.cjs";\nexport type { UsersSection };',
  'src/index.d.ts': [
    "export { API } from './sessions/api.js';",
    "export { ApiErrorCode } from '../generated/errors.js';",
    "export type * from '../generated/index.js';",
    '',
  ].join('\n'),
  'src/index.d.cts': "export { API } from './sessions/api.cjs';\nexport type * from '../generated/index.cjs';\n",
};

describe('the declarations of generated/ in the package root', () => {
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'vk-typed-bundle-'));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it('declares what the root exported from generated/, as it did: types and values as such, a class exported as a type only stays one', () => {
    write(smallDist);
    assert.equal(writeGeneratedDeclarations(dist), 3);
    const root = read('src/index.d.ts');
    assert.match(root, /^export \{ API \} from '\.\/sessions\/api\.js';\n\n/, "the root's other re-exports stay");
    assert.doesNotMatch(root, /from '\.\.\/generated|#region|paramsSchemas/);
    assert.match(root, /^import \{ CallOptions \} from '\.\/core\/calls\.js';$/m);
    assert.match(root, /\/\*\* A count\. \*\/\nexport type BaseCount = number;/);
    assert.match(root, /^export declare const ApiErrorCode: \{$/m);
    assert.match(root, /^export type ApiErrorCode = 1;$/m);
    assert.match(root, /\/\*\* Users\. \*\/\ndeclare class UsersSection \{/);
    assert.match(root, /\nexport type \{ UsersSection \};\n$/);
    assert.match(root, /^interface BaseHidden \{/m, 'a declaration its module did not export stays unexported');
    const commonJs = read('src/index.d.cts');
    assert.match(commonJs, /^import \{ CallOptions \} from '\.\/core\/calls\.cjs';$/m);
    assert.doesNotMatch(commonJs, /^export declare const ApiErrorCode/m, 'this root does not export it as a value');
    assert.deepEqual(readdirSync(join(dist, 'generated'), { recursive: true }).filter((path) => /\.d\.c?ts$/.test(String(path))), []);
  });

  it('points the other declarations under src/ at the root, ESM and CommonJS', () => {
    write(smallDist);
    writeGeneratedDeclarations(dist);
    const api = read('src/sessions/api.d.ts');
    assert.match(api, /^import \{ UsersSection \} from '\.\.\/index\.js';$/m);
    assert.match(api, /^import \{ Other \} from "\.\.\/core\/other\.js";$/m, 'imports from src/ stay as they were');
    assert.match(read('src/sessions/api.d.cts'), /^import \{ UsersSection \} from '\.\.\/index\.cjs';$/m);
  });

  it('refuses, before writing anything, an import of a name the root does not export, two modules declaring one name, and a renaming import', () => {
    write({ ...smallDist, 'src/core/method-types.d.ts': 'import { BaseHidden } from "../../generated/types/base.js";\nexport type { BaseHidden };' });
    assert.throws(() => writeGeneratedDeclarations(dist), /src\/core\/method-types\.d\.ts: imports BaseHidden from generated\/, which src\/index\.ts does not export/);
    rmSync(join(dist, 'src/core/method-types.d.ts'));

    write({ 'generated/types/users.d.ts': 'type BaseCount = string;\nexport { BaseCount };' });
    assert.throws(() => writeGeneratedDeclarations(dist), /generated\/types\/users\.d\.ts: declares BaseCount, which generated\/types\/base\.d\.ts declares too/);
    rmSync(join(dist, 'generated/types/users.d.ts'));

    write({ 'generated/sections/users.d.ts': 'import { BaseCount as Count } from "../types/base.js";\ntype UsersCount = Count;\nexport { UsersCount };' });
    assert.throws(() => writeGeneratedDeclarations(dist), /generated\/sections\/users\.d\.ts: renames BaseCount to Count/);
    assert.equal(read('src/index.d.ts'), smallDist['src/index.d.ts']);
    assert.equal(read('src/sessions/api.d.ts'), smallDist['src/sessions/api.d.ts']);
  });
});
