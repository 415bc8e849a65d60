// The correction layer on small schemas: each operation changes the types and the
// validators alike, a correction that no longer applies stops the generator, and a
// correction without its reason or evidence is refused when it is read.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readCorrections, type Corrections } from '../../codegen/corrections.js';
import { generateSources } from '../../codegen/generate.js';
import { ref, writeMiniSchema } from '../support/mini-schema.js';
import { repoRoot } from '../support/paths.js';

const okResponse = { type: 'object', properties: { response: { type: 'integer', enum: [1], required: true } } };
const evidence = ['https://dev.vk.com/ru/method/things.get'];

const schema = () =>
  writeMiniSchema({
    things: {
      objects: {
        things_thing: {
          type: 'object',
          properties: { id: { type: 'integer', required: true }, kind: { type: 'string', required: true } },
        },
        things_fields: { type: 'string', enum: ['name', 'photo'] },
      },
      responses: {
        things_get_response: {
          type: 'object',
          properties: { response: { type: 'object', properties: { item: ref('things', 'things_thing') }, required: true } },
        },
        things_ok_response: okResponse,
      },
      methods: [
        {
          name: 'things.get',
          parameters: [{ name: 'fields', type: 'array', items: ref('things', 'things_fields') }],
          responses: { response: ref('things', 'things_get_response', 'responses') },
        },
        { name: 'things.delete', parameters: [{ name: 'id', type: 'integer' }], responses: { response: ref('things', 'things_ok_response', 'responses') } },
      ],
    },
  });

const corrections: Corrections = {
  methods: {
    'things.delete': {
      why: 'VK takes owner_id too',
      evidence,
      addParams: [{ name: 'owner_id', type: 'integer' }],
      patchParams: { id: { minimum: 1 } },
    },
  },
  definitions: {
    things_thing: {
      why: 'VK sends country and leaves kind out',
      evidence: ['real-responses/some-reply.json'],
      addProperties: { country: { type: 'object', properties: { id: { type: 'integer', required: true } } } },
      optional: ['kind'],
    },
    things_fields: { why: 'VK accepts country', evidence, addEnumValues: ['country'] },
  },
};

test('every operation changes the types and the validators alike, and each applied correction is listed with its evidence', () => {
  const { files, correctionsApplied } = generateSources(schema(), corrections);
  const types = files.get('types/things.ts')!;
  assert.match(types, /country\?: \{/, 'the added property, optional');
  assert.match(types, /kind\?: string;/, 'the property made optional');
  assert.match(types, /"name" \| "photo" \| "country"/, 'the added enum value');
  assert.match(files.get('sections/things.ts')!, /owner_id\?: number;/);

  const definitions = files.get('validation/definitions.ts')!;
  const thing = JSON.parse(/"things_thing": '(.*)',?$/m.exec(definitions)![1]!) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  assert.ok('country' in thing.properties, 'the validator knows the added property');
  assert.deepEqual(thing.required, ['id'], 'and no longer requires kind');
  assert.match(files.get('validation/params.ts')!, /owner_id/);

  assert.deepEqual(
    correctionsApplied.map(({ target }) => target),
    ['things.delete', 'things_thing', 'things_fields'],
  );
  assert.ok(files.get('README.md')!.includes('`things_thing`: VK sends country and leaves kind out (real-responses/some-reply.json)'));
});

test('a new definition joins its folder, and a path reaches into a response payload', () => {
  const { files, correctionsApplied } = generateSources(schema(), {
    newDefinitions: {
      things_gadget: { why: 'VK sends gadgets', evidence, folder: 'things', schema: { type: 'object', properties: { id: { type: 'integer', required: true } } } },
    },
    definitions: {
      things_get_response: {
        why: 'VK sends a cursor and gadgets',
        evidence,
        path: 'response',
        addProperties: { next_from: { type: 'string' }, gadget: ref('things', 'things_gadget') },
      },
    },
  });
  const types = files.get('types/things.ts')!;
  assert.match(types, /export interface ThingsGadget \{\s+id: number;/);
  assert.match(types, /next_from\?: string;/);
  assert.match(types, /gadget\?: ThingsGadget;/);
  assert.deepEqual(correctionsApplied.map(({ target }) => target), ['things_gadget', 'things_get_response']);
  assert.throws(
    () => generateSources(schema(), { definitions: { things_get_response: { why: 'x', evidence, path: 'response.nothing', optional: ['x'] } } }),
    /things_get_response at response\.nothing no longer applies: the definition has no property nothing there/,
  );
  assert.throws(
    () => generateSources(schema(), { newDefinitions: { things_thing: { why: 'x', evidence, folder: 'things', schema: {} } } }),
    /things_thing no longer applies: the schema defines it now/,
  );
});

// A definition corrected for two reasons on different evidence: each correction is
// applied and listed with its own evidence.
test('a list of corrections on one definition applies each, listing each with its own evidence', () => {
  const { files, correctionsApplied } = generateSources(schema(), {
    definitions: {
      things_thing: [
        { why: 'VK leaves kind out', evidence: ['real-responses/some-reply.json'], optional: ['kind'] },
        { why: 'VK sends country', evidence, addProperties: { country: { type: 'string' } } },
      ],
    },
  });
  const types = files.get('types/things.ts')!;
  assert.match(types, /kind\?: string;/);
  assert.match(types, /country\?: string;/);
  assert.deepEqual(
    correctionsApplied.map(({ target, evidence: cited }) => [target, cited]),
    [
      ['things_thing', ['real-responses/some-reply.json']],
      ['things_thing', evidence],
    ],
  );
});

// A oneOf whose node says "object" while a branch is a string: deleting the node's
// type keeps the union in the types and in the validator alike.
test("a patch that deletes a oneOf node's type gives the union in the types and the validator", () => {
  const dir = writeMiniSchema({
    things: {
      objects: {
        things_button: { type: 'object', oneOf: [{ type: 'object', properties: { title: { type: 'string' } } }, { type: 'string' }] },
        things_card: { type: 'object', properties: { button: ref('things', 'things_button') } },
      },
      responses: { things_ok_response: okResponse },
      methods: [{ name: 'things.ok', parameters: [], responses: { response: ref('things', 'things_ok_response', 'responses') } }],
    },
  });
  const before = generateSources(dir, {}).files;
  assert.match(before.get('types/things.ts')!, /export type ThingsButton = \{\s+title\?: string;\s+\};/);
  const { files } = generateSources(dir, {
    definitions: { things_button: { why: 'VK sends the button as a string too', evidence, patch: { type: null } } },
  });
  assert.match(files.get('types/things.ts')!, /export type ThingsButton =\s+\|?\s*\{\s+title\?: string;\s+\}\s+\| string;/);
  const button = JSON.parse(/"things_button": '(.*)',?$/m.exec(files.get('validation/definitions.ts')!)![1]!) as object;
  assert.ok(!('type' in button), 'the validator no longer requires an object');
  assert.deepEqual((button as { anyOf: { type: string }[] }).anyOf.map((branch) => branch.type), ['object', 'string']);
});

test('a correction that no longer applies stops the generator, naming it', () => {
  const stale: [Corrections, RegExp][] = [
    [{ methods: { 'things.gone': { why: 'x', evidence, addParams: [] } } }, /things\.gone no longer applies: the schema has no such method/],
    [{ methods: { 'things.delete': { why: 'x', evidence, addParams: [{ name: 'id', type: 'integer' }] } } }, /things\.delete\(id\) no longer applies: the schema has this param now/],
    [{ definitions: { things_thing: { why: 'x', evidence, addProperties: { id: { type: 'integer' } } } } }, /things_thing\.id no longer applies: the schema has this property now/],
    [{ definitions: { things_thing: { why: 'x', evidence, optional: ['name'] } } }, /things_thing\.name no longer applies: the schema has no such property/],
    [{ definitions: { things_fields: { why: 'x', evidence, addEnumValues: ['photo'] } } }, /things_fields "photo" no longer applies: the schema has this value now/],
    [{ definitions: { things_thing: { why: 'x', evidence, addEnumValues: ['a'] } } }, /things_thing no longer applies: the definition is not an enum/],
    [{ definitions: { things_thing: { why: 'x', evidence, patch: { type: 'object', oneOf: null } } } }, /things_thing no longer applies: the schema has the patched keywords now/],
    [{ methods: { 'things.delete': { why: 'x', evidence, patchParams: { id: { type: 'integer' } } } } }, /things\.delete\(id\) no longer applies: the schema has the patched keywords now/],
  ];
  for (const [correction, message] of stale) assert.throws(() => generateSources(schema(), correction), message);
  const dir = schema();
  generateSources(dir, corrections);
  assert.doesNotThrow(() => generateSources(dir, corrections), 'neither the schema on disk nor the corrections change');
});

function correctionsDir(files: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-typed-corrections-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

test('reading refuses a correction without a reason, without evidence, with an unknown operation, or twice', () => {
  const cases: [object, RegExp][] = [
    [{ definitions: { a: { evidence, optional: ['x'] } } }, /a\.json: a: a correction needs its "why"/],
    [{ definitions: { a: { why: 'x', optional: ['x'] } } }, /"evidence" must list/],
    [{ definitions: { a: { why: 'x', evidence: ['my memory'], optional: ['x'] } } }, /"evidence" must list/],
    [{ definitions: { a: { why: 'x', evidence, makeRequired: ['x'] } } }, /unknown operation makeRequired/],
    [{ methods: { 'a.b': { why: 'x', evidence, optional: ['x'] } } }, /unknown operation optional/],
    [{ definitions: { a: { why: 'x', evidence } } }, /changes nothing/],
    [{ definitions: { a: [] } }, /a\.json: a: an empty list of corrections changes nothing/],
    [{ definitions: { a: [{ why: 'x', evidence, optional: ['x'] }, { why: 'y', optional: ['y'] }] } }, /a\.json: a: "evidence" must list/],
    [{ methods: { 'a.b': [{ why: 'x', evidence, addParams: [] }] } }, /a\.json: a\.b: a correction needs its "why"/],
  ];
  for (const [content, message] of cases) assert.throws(() => readCorrections(correctionsDir({ 'a.json': content })), message);
  const same = { definitions: { a: { why: 'x', evidence, optional: ['x'] } } };
  assert.throws(() => readCorrections(correctionsDir({ 'a.json': same, 'b.json': same })), /b\.json: a is corrected in another file too/);
});

// A property or value added on the evidence of replies alone must show in one of them;
// where a dev.vk.com page is cited too, the page may stand for some, but a cited reply
// must still show at least one (or it is no evidence of this correction).
test("the project's corrections cite evidence that exists: each real-responses file is there and shows the property or value it adds, each GitHub reply is pinned", () => {
  const sharedReplies = resolve(repoRoot, '../shared/real-responses');
  const available = new Set(readdirSync(sharedReplies));
  const all = readCorrections(resolve(repoRoot, 'schema/corrections'));
  const entries = [
    ...Object.entries(all.definitions ?? {}).flatMap(([target, entry]) => [entry].flat().map((correction) => [target, correction] as const)),
    ...Object.entries(all.methods ?? {}),
  ];
  assert.ok(entries.length > 0);
  for (const [target, correction] of entries) {
    const replies = correction.evidence.filter((item) => item.startsWith('real-responses/'));
    for (const reply of replies) {
      const file = reply.slice('real-responses/'.length);
      assert.ok(available.has(file), `${target}: ${reply} is not in ../shared/real-responses`);
    }
    // Another project's recorded reply is cited at the commit it was read at, so that it cannot change.
    for (const url of correction.evidence.filter((item) => item.startsWith('https://github.com/'))) {
      assert.match(url, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/blob\/[0-9a-f]{40}\/\S+$/, `${target}: ${url} is not pinned to a commit`);
    }
    const citesPage = correction.evidence.some((item) => item.startsWith('https://dev.vk.com/'));
    if (replies.length === 0 || !('addProperties' in correction || 'addEnumValues' in correction)) continue;
    const texts = replies.map((reply) => readFileSync(join(sharedReplies, reply.slice('real-responses/'.length)), 'utf8'));
    const needles = [
      ...Object.keys(correction.addProperties ?? {}).map((property) => `"${property}"`),
      ...(correction.addEnumValues ?? []).map((value) => JSON.stringify(value)),
    ];
    const unshown = needles.filter((needle) => !texts.some((text) => text.includes(needle)));
    const allowed = citesPage ? needles.length - 1 : 0;
    assert.ok(unshown.length <= allowed, `${target}: ${unshown.join(', ')} not shown by ${replies.join(', ')}`);
  }
});
