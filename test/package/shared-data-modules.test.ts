// scripts/shared-data-modules.ts on a small dist/ written here; test/package/pack.test.ts
// checks params with the real one under `require`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { shareDataModules } from '../../scripts/shared-data-modules.js';

let dist: string;

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dist, path)), { recursive: true });
    writeFileSync(join(dist, path), text);
  }
}

const lazyLoad = (module: string) => `const { paramsSchemas } = await Promise.resolve().then(() => require("${module}"));`;

describe('the validation data, shipped once', () => {
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'vk-typed-data-'));
    write({
      'generated/validation/params.js': 'const paramsSchemas = {};\nexport { paramsSchemas };\n',
      'generated/validation/params.cjs': 'const paramsSchemas = {};\nexports.paramsSchemas = paramsSchemas;\n',
      'src/validation/validators.cjs': `${lazyLoad('../../generated/validation/params.cjs')}\nconst other = require("./problems.cjs");\n`,
      'src/validation/validators.js': 'const { paramsSchemas } = await import("../../generated/validation/params.js");\n',
    });
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it("CommonJS imports the ESM copy, whose CommonJS copy is gone; other requires and the ESM build stay", () => {
    assert.equal(shareDataModules(dist), 1);
    assert.equal(
      readFileSync(join(dist, 'src/validation/validators.cjs'), 'utf8'),
      'const { paramsSchemas } = await import("../../generated/validation/params.js");\nconst other = require("./problems.cjs");\n',
    );
    assert.equal(existsSync(join(dist, 'generated/validation/params.cjs')), false);
    assert.equal(existsSync(join(dist, 'generated/validation/params.js')), true);
  });

  it('refuses a CommonJS copy loaded another way, and data that imports a module, before removing anything', () => {
    write({ 'src/cli/help.cjs': 'const { paramsSchemas } = require("../../generated/validation/params.cjs");\n' });
    assert.throws(() => shareDataModules(dist), /src\/cli\/help\.cjs loads generated\/validation other than by import\(\)/);
    assert.equal(existsSync(join(dist, 'generated/validation/params.cjs')), true);
    rmSync(join(dist, 'src/cli/help.cjs'));

    write({ 'generated/validation/definitions.js': 'import { x } from "./shared.js";\nexport const definitions = x;\n' });
    assert.throws(() => shareDataModules(dist), /generated\/validation\/definitions\.js imports a module/);
    assert.equal(existsSync(join(dist, 'generated/validation/params.cjs')), true);
  });
});
