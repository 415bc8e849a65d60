// Generator unit tests on small schemas written here, one quirk at a time:
// each generates, type-checks the output with a consumer file whose
// `@ts-expect-error` lines must all fail, and inspects what was emitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSources } from '../../codegen/generate.js';
import { typeCheck } from '../support/compile.js';
import { ref, writeMiniSchema } from '../support/mini-schema.js';

const callerSource = readFileSync(fileURLToPath(new URL('../../src/core/calls.ts', import.meta.url)), 'utf8');

const okResponse = { type: 'object', properties: { response: { type: 'integer', enum: [1], required: true } } };

const miniSchema = () =>
  writeMiniSchema({
    things: {
      objects: {
        things_base: {
          type: 'object',
          properties: {
            id: { type: 'integer', required: true },
            name: { type: 'string', description: 'The name */ with a comment closer' },
            kind: { type: 'string', enum: ['a', 'b'] },
          },
        },
        things_child: {
          type: 'object',
          allOf: [
            ref('things', 'things_base'),
            { properties: { name: { type: 'integer', required: true }, node: ref('things', 'things_node') } },
          ],
        },
        things_full: {
          type: 'object',
          allOf: [
            ref('things', 'things_base'),
            {
              properties: {
                kind: { type: 'string', enum: ['a', 'b'], required: true },
                name: { type: 'string', description: 'The full name' },
                photo: { type: 'string' },
              },
            },
          ],
        },
        things_node: {
          type: 'object',
          properties: {
            value: { type: 'string' },
            children: { type: 'array', items: ref('things', 'things_node') },
            parent: ref('things', 'things_node'),
          },
        },
        things_age: { type: 'string', enum: ['16_plus', '18_plus', 'Community, square image'] },
        things_sex: { type: 'integer', enum: [0, 1, 2], enumNames: ['unknown', 'female', 'male'] },
        things_flags: {
          type: 'object',
          properties: {
            '2fa_required': { type: 'boolean', required: true },
            photo_rec: { type: ['string', 'boolean'] },
            category: { type: 'object', oneOf: [{ type: 'string' }, ref('things', 'things_base')] },
          },
        },
        things_tagged: {
          type: 'object',
          discriminator: {
            propertyName: 'type',
            mapping: { page: '../things/objects.json#/definitions/things_base', node: '../things/objects.json#/definitions/things_node' },
          },
          oneOf: [ref('things', 'things_base'), ref('things', 'things_node')],
        },
        things_fields: { type: 'string', enum: ['city', 'photo_100'] },
      },
      responses: {
        things_get_response: {
          type: 'object',
          properties: { response: { type: 'array', items: { type: 'integer' }, required: true } },
        },
        things_get_extended_response: {
          type: 'object',
          properties: {
            response: {
              type: 'object',
              properties: {
                items: { type: 'array', items: ref('things', 'things_child'), required: true },
                profiles: { type: 'array', items: ref('things', 'things_node') },
              },
              required: true,
            },
          },
        },
        things_ok_response: okResponse,
      },
      methods: [
        {
          name: 'things.get',
          description: 'Returns things.',
          access_token_type: ['user', 'group'],
          parameters: [
            { name: 'ids', type: 'array', items: { type: 'integer' }, required: true },
            { name: 'extended', type: 'boolean' },
            { name: 'fields', type: 'array', items: ref('things', 'things_fields') },
            { name: 'private', type: 'string', required: false },
            { name: 'type', type: 'string', enum: ['one', 'two'] },
            { name: 'long', type: 'number' },
            { name: 'data', type: 'string', format: 'json', items: ref('things', 'things_base') },
            {
              name: 'posts',
              type: 'array',
              items: {
                type: 'string',
                format: 'value_object',
                properties: {
                  owner_id: { type: 'integer', required: true },
                  post_id: { type: 'integer', required: true },
                  access_key: { type: 'string' },
                },
              },
            },
          ],
          responses: {
            response: ref('things', 'things_get_response', 'responses'),
            extendedResponse: ref('things', 'things_get_extended_response', 'responses'),
          },
          errors: [{ $ref: '../errors.json#/errors/api_error_param' }],
        },
        {
          name: 'things.delete',
          access_token_type: ['user'],
          parameters: [{ name: 'id', type: 'integer', required: true }],
          responses: { response: ref('things', 'things_ok_response', 'responses') },
        },
        {
          name: 'things.getUploadURL',
          parameters: [],
          responses: { response: ref('things', 'things_ok_response', 'responses') },
        },
      ],
    },
  });

function compileWith(files: Map<string, string>, consumer: string): string[] {
  const all = new Map<string, string>(
    [...files].filter(([path]) => path.endsWith('.ts')).map(([path, source]) => [`generated/${path}`, source] as const),
  );
  all.set('src/core/calls.ts', callerSource);
  all.set('consumer.ts', consumer);
  return typeCheck(all);
}

const consumerPrelude = `
import type { CallOptions, MethodCaller } from './src/core/calls.js';
import { SectionsBase } from './generated/sections.js';
import type * as T from './generated/index.js';
class Session extends SectionsBase {
  callMethod<R>(method: string, params: object | undefined, options?: CallOptions): Promise<R> {
    return Promise.resolve(undefined as R);
  }
}
const api = new Session();
declare function expectType<X>(value: X): void;
`;

test('a small schema generates code that compiles and types every quirk as the schema says', () => {
  const { files, model } = generateSources(miniSchema(), {});
  assert.equal(model.methods.length, 3);
  assert.deepEqual(model.sections.map((s) => s.className), ['ThingsSection']);
  const consumer = `${consumerPrelude}
async function main() {
  // allOf: the later member's "name" (integer, required) overrides the base's string.
  const child: T.ThingsChild = { id: 1, name: 2 };
  // @ts-expect-error name is a number in the child
  const wrongChild: T.ThingsChild = { id: 1, name: 'x' };
  // @ts-expect-error id stays required from the base member
  const noId: T.ThingsChild = { name: 2 };
  // allOf over an object definition: an interface extending it, with what the rest adds or makes required
  const full: T.ThingsFull = { id: 1, kind: 'a', name: 'x', photo: 'p' };
  const fullAsBase: T.ThingsBase = full;
  // @ts-expect-error kind is required in the full object
  const noKind: T.ThingsFull = { id: 1 };
  // @ts-expect-error id stays required, from the base it extends
  const fullNoId: T.ThingsFull = { kind: 'a' };
  // recursion
  const node: T.ThingsNode = { children: [{ children: [{ value: 'leaf' }] }], parent: { value: 'root' } };
  // enums with names that are not identifiers
  const age: T.ThingsAge = 'Community, square image';
  // @ts-expect-error not a value of the enum
  const badAge: T.ThingsAge = '21_plus';
  const sex: T.ThingsSex = 2;
  // @ts-expect-error integer enum
  const badSex: T.ThingsSex = 3;
  // a property starting with a digit, a union type array, a oneOf whose string branch cannot validate
  const flags: T.ThingsFlags = { '2fa_required': true, photo_rec: false, category: { id: 1 } };
  // @ts-expect-error the string branch sits under type: object
  const badFlags: T.ThingsFlags = { '2fa_required': true, category: 'x' };
  // discriminated union from the discriminator mapping
  const tagged: T.ThingsTagged = { type: 'page', id: 1 };
  // @ts-expect-error "page" maps to things_base, which needs an id
  const badTagged: T.ThingsTagged = { type: 'page' };

  // required params (boolean "required" in the schema) and the variant overloads
  const plain: number[] = await api.things.get({ ids: [1] });
  const extended = await api.things.get({ ids: [1], extended: true });
  expectType<T.ThingsChild[]>(extended.items);
  // @ts-expect-error the plain response has no items
  (await api.things.get({ ids: [1] })).items;
  // @ts-expect-error ids is required
  await api.things.get({ extended: true });
  // @ts-expect-error misspelled param
  await api.things.get({ ids: [1], extendd: true });
  // @ts-expect-error wrong enum value
  await api.things.get({ ids: [1], type: 'three' });
  // reserved words as params and as a method name
  await api.things.get({ ids: [1], private: 'p', type: 'one', long: 1.5 });
  const ok: 1 = await api.things.delete({ id: 1 });
  await api.things.getUploadURL();
  // json and value_object params accept the structured value or a string
  await api.things.get({ ids: [1], data: [{ id: 1 }], posts: ['1_2', { owner_id: 1, post_id: 2 }] });
  await api.things.get({ ids: [1], data: '[{"id":1}]' });
  // @ts-expect-error value objects need their required parts
  await api.things.get({ ids: [1], posts: [{ owner_id: 1 }] });
}
`;
  assert.deepEqual(compileWith(files, consumer), []);
  const objects = files.get('types/things.ts')!;
  assert.match(objects, /\*\\\/ with a comment closer/, 'a description cannot close its JSDoc early');
  assert.doesNotMatch(objects, /ThingsBase1|ThingsNode1/, 'no numbered duplicates');
  const fullDeclaration = objects.slice(objects.indexOf('export interface ThingsFull'));
  assert.match(fullDeclaration, /^export interface ThingsFull extends ThingsBase \{\n\/\*\* The full name \*\/\nname\?: string;\nkind: "a" \| "b";\nphoto\?: string;\n\}/,
    'declares only what it adds (photo), makes required (kind) or documents otherwise (name); id comes from the base');
  const childDeclaration = objects.slice(objects.indexOf('export interface ThingsChild'));
  assert.match(childDeclaration, /^export interface ThingsChild \{/, 'a member that changes a base property\'s type: every property listed, no extends');
  assert.deepEqual(model.methods[1]!.variants.selected.map((v) => v.name), ['Extended']);
});

test('encodings for json and value_object params reach the method table', () => {
  const { files } = generateSources(miniSchema(), {});
  const methods = files.get('methods.ts')!;
  assert.match(methods, /'things\.get': \{ access: \["group","user"\], encode: \{"data":"json","posts":\{"valueObject":\["owner_id","post_id","access_key"\]\}\} \}/);
  assert.match(files.get('errors.ts')!, /Param: 100,/);
  assert.match(files.get('errors.ts')!, /SomeSubcode: 1000,/);
});

/** A schema with one parameterless method answering `response` and one more variant key. */
const oneVariantSchema = (variant: string) =>
  writeMiniSchema({
    things: {
      responses: { things_ok_response: okResponse },
      methods: [
        {
          name: 'things.get',
          responses: {
            response: ref('things', 'things_ok_response', 'responses'),
            [variant]: ref('things', 'things_ok_response', 'responses'),
          },
        },
      ],
    },
  });

test('an unknown response variant stops the generator instead of guessing', () => {
  assert.throws(
    () => generateSources(oneVariantSchema('brandNewResponse'), {}),
    /things\.get: unknown response variant "brandNewResponse"/,
  );
});

test('a variant whose selecting param is missing is reported', () => {
  assert.throws(
    () => generateSources(oneVariantSchema('extendedResponse'), {}),
    /things\.get: a response variant is selected by extended/,
  );
});

test('two schema names that map to one TypeScript name are a clash, not a silent overwrite', () => {
  const dir = writeMiniSchema({
    things: { objects: { things_a_b: { type: 'string' }, thingsAB: { type: 'string' } } },
  });
  assert.throws(() => generateSources(dir, {}), /name clash: ThingsAB/);
});

test('a dangling $ref is an error naming where it is', () => {
  const dir = writeMiniSchema({
    things: { objects: { things_a: { type: 'object', properties: { b: ref('things', 'things_missing') } } } },
  });
  assert.throws(() => generateSources(dir, {}), /things_a\.b: \$ref to unknown definition things_missing/);
});

