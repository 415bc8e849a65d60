// verifySchema refuses a folder that is not a well-formed VK schema, naming the
// file, and only warns about what real releases ship and the generator reads
// past; loadSchema takes real releases' quirks (a section file that says 5.131,
// a method listing errors errors.json lacks) and says what it did.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSchema } from '../../codegen/load.js';
import { releaseFiles } from '../../schema/release.js';
import { verifySchema } from '../../schema/verify.js';
import { copyRelease, historyRelease, pinnedRelease } from '../fakes/schema-tree.js';
import { writeMiniSchema } from '../support/mini-schema.js';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'schema-verify-test-'));
});
after(() => rm(tmp, { recursive: true, force: true }));

async function verify(dir: string) {
  return verifySchema(dir, (await releaseFiles(dir)).files);
}

/** A writable copy of the pinned release with one file rewritten. */
async function tampered(name: string, file: string, edit: (text: string) => string): Promise<string> {
  const dir = await copyRelease(pinnedRelease, join(tmp, name));
  await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  return dir;
}

test('real releases verify, with warnings only for what the generator reads past', async () => {
  const pinned = await verify(pinnedRelease);
  assert.deepEqual(pinned.errors, []);
  assert.deepEqual(pinned.warnings, [
    'errors.json: $ref #/definitions/subcodes/error_request_try_again does not resolve; the SDK leaves that subcode out',
    'errors.json: $ref #/definitions/subcodes/error_access_try_again does not resolve; the SDK leaves that subcode out',
  ]);
  const old = await verify(historyRelease('v5.199.26'));
  assert.deepEqual(old.errors, []);
  assert.ok(old.warnings.some((w) => w.startsWith('support/objects.json: keyword from_version ')));
  assert.ok(
    old.warnings.some((w) =>
      w.startsWith('groups/objects.json: /definitions/groups_classifieds_properties/properties is []'),
    ),
  );
});

test('a file that is not JSON is an error naming it', async () => {
  const dir = await tampered('bad-json', 'users/objects.json', (text) => text.slice(0, -20));
  const { errors } = await verify(dir);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^users\/objects\.json: not valid JSON: /);
});

test('a dangling $ref is an error naming the file and the ref', async () => {
  const dir = await tampered('dangling', 'wall/objects.json', (text) =>
    text.replace(
      '"$ref": "../base/objects.json#/definitions/base_link"',
      '"$ref": "../base/objects.json#/definitions/base_nothing"',
    ),
  );
  const { errors } = await verify(dir);
  // String.replace changes the first of the three.
  assert.deepEqual(errors, [
    'wall/objects.json: $ref ../base/objects.json#/definitions/base_nothing does not resolve: base/objects.json has nothing at #/definitions/base_nothing',
  ]);
  const missingFile = await tampered('missing-file', 'wall/objects.json', (text) =>
    text.replace('../base/objects.json#', '../basis/objects.json#'),
  );
  assert.deepEqual((await verify(missingFile)).errors, [
    'wall/objects.json: $ref ../basis/objects.json#/definitions/base_link does not resolve: no file basis/objects.json in the release',
  ]);
});

test('a file the meta-schema refuses is an error naming it', async () => {
  const dir = await tampered('meta', 'status/methods.json', (text) =>
    text.replace('"access_token_type"', '"access_token_types"'),
  );
  const { errors } = await verify(dir);
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]!,
    /^status\/methods\.json: does not match the meta-schema: \/methods\/\d+ must have required property 'access_token_type'/,
  );
});

test('a release whose sections disagree with errors.json on the version loads, saying which file', () => {
  const raw = loadSchema(historyRelease('v5.199.91'));
  assert.equal(raw.version, '5.199');
  assert.ok(
    raw.quirks.includes(
      'adsweb/methods.json says API version 5.131, the release 5.199: its methods are generated as 5.199 ones',
    ),
  );
  assert.ok(
    raw.quirks.includes(
      'asr.checkStatus lists error api_error_asr_not_found, which errors.json does not define: left out',
    ),
  );
  assert.deepEqual(raw.methods.find((m) => m.name === 'asr.checkStatus')?.errors ?? [], []);
});

test('a release where most section files disagree with errors.json is still refused', async () => {
  const sections = { a: { methods: [] }, b: { methods: [] } };
  const dir = writeMiniSchema(sections, '5.131');
  try {
    const errors = JSON.parse(await readFile(join(dir, 'errors.json'), 'utf8'));
    await writeFile(join(dir, 'errors.json'), JSON.stringify({ ...errors, version: '5.199' }));
    assert.throws(
      () => loadSchema(dir),
      /schema files disagree on the API version: errors\.json says 5\.199, but a\/methods\.json 5\.131, b\/methods\.json 5\.131/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
