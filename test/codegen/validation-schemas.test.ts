// The generator's validation data and pagination table: on a small schema, each
// adaptation (JSON, value-object and field-list params, stripped keywords,
// flattened and closed allOf objects, discriminated unions, unwrapped responses,
// variant rules, page bounds) as
// emitted; on the pinned schema, the paginated methods, and every params and
// response schema compiled by the runtime's ajv.

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { formatSources } from '../../codegen/format.js';
import { generateSources } from '../../codegen/generate.js';
import { methodInfo, type MethodName } from '../../generated/methods.js';
import { responseVariants, type ResponseVariants, type VariantCondition } from '../../generated/validation/responses.js';
import { paramsValidator, responseValidator } from '../../src/validation/validators.js';
import { ref, writeMiniSchema } from '../support/mini-schema.js';
import { repoRoot } from '../support/paths.js';


const schema = () =>
  writeMiniSchema({
    things: {
      objects: {
        things_base: {
          type: 'object',
          description: 'A thing',
          properties: {
            id: { type: 'integer', required: true, format: 'int64', entity: 'owner' },
            name: { type: 'string', format: 'uri', default: 'x' },
          },
        },
        things_child: {
          type: 'object',
          allOf: [ref('things', 'things_base'), { properties: { name: { type: 'integer', required: true } } }],
        },
        things_kind: { type: 'string', enum: [1, 2], enumNames: ['one', 'two'] },
        things_tagged: {
          type: 'object',
          discriminator: {
            propertyName: 'type',
            mapping: {
              base: '../things/objects.json#/definitions/things_base',
              child: '../things/objects.json#/definitions/things_child',
              kid: '../things/objects.json#/definitions/things_child',
            },
          },
          oneOf: [ref('things', 'things_base'), ref('things', 'things_child')],
        },
        things_either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        things_fields: { type: 'string', enum: ['name', 'photo'] },
        things_keyboard: { type: 'object', properties: { one_time: { type: 'boolean', required: true } } },
      },
      responses: {
        things_list_response: {
          type: 'object',
          properties: {
            response: {
              type: 'object',
              required: true,
              properties: {
                count: { type: 'integer', required: true },
                items: { type: 'array', items: ref('things', 'things_child'), required: true },
              },
            },
          },
        },
        things_ids_response: {
          type: 'object',
          properties: { response: { type: 'array', items: { type: 'integer', format: 'int32' }, required: true } },
          deprecated_from_version: '5.100',
        },
      },
      methods: [
        {
          name: 'things.list',
          parameters: [
            { name: 'offset', type: 'integer', minimum: 0, maximum: 500 },
            { name: 'count', type: 'integer', minimum: 10, maximum: 50, default: 20 },
            { name: 'extended', type: 'boolean', default: 0 },
            { name: 'kind', $ref: '../things/objects.json#/definitions/things_kind' },
            { name: 'fields', type: 'array', items: ref('things', 'things_fields') },
            { name: 'photo_fields', type: 'array', items: { type: 'string', enum: ['sizes'] } },
            { name: 'sort', type: 'array', items: { type: 'string', enum: ['asc', 'desc'] } },
            { name: 'data', type: 'string', format: 'json', items: ref('things', 'things_base'), maxItems: 3 },
            { name: 'keyboard', $ref: '../things/objects.json#/definitions/things_keyboard', format: 'json' },
            {
              name: 'posts',
              type: 'array',
              required: true,
              items: {
                type: 'string',
                format: 'value_object',
                properties: {
                  owner_id: { type: 'integer', required: true },
                  post_id: { type: 'integer', required: true },
                },
              },
            },
          ],
          responses: {
            response: ref('things', 'things_list_response', 'responses'),
            extendedResponse: ref('things', 'things_list_response', 'responses'),
          },
        },
        {
          name: 'things.ids',
          parameters: [
            { name: 'offset', type: 'integer' },
            { name: 'count', type: 'integer' },
          ],
          responses: { response: ref('things', 'things_ids_response', 'responses') },
        },
      ],
    },
  });

/** Evaluates a generated data module and returns its exports, each table's JSON text parsed. */
async function load(source: string): Promise<Record<string, any>> {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const exports: Record<string, unknown> = await import(`data:text/javascript,${encodeURIComponent(js.outputText)}`);
  return Object.fromEntries(
    Object.entries(exports).map(([name, value]) => [
      name,
      typeof value === 'object'
        ? Object.fromEntries(Object.entries(value!).map(([k, json]) => [k, JSON.parse(json)]))
        : value,
    ]),
  );
}

test('validation data: params as the runtime sees them, definitions stripped, flattened and closed', async () => {
  const { files } = generateSources(schema(), {});
  const { paramsSchemas } = await load(files.get('validation/params.ts')!);
  const { definitions, definitionsId } = await load(files.get('validation/definitions.ts')!);
  const { responseVariants: variants } = await load(files.get('validation/responses.ts')!);

  assert.deepEqual(paramsSchemas['things.list'], {
    type: 'object',
    properties: {
      offset: { type: 'integer', minimum: 0, maximum: 500 },
      count: { type: 'integer', minimum: 10, maximum: 50 },
      extended: { type: 'boolean' },
      kind: { $ref: 'vk-api#/definitions/things_kind' },
      // field lists take any name (VK ignores one it does not know); other enums stay closed
      fields: { type: 'array', items: { type: 'string' } },
      photo_fields: { type: 'array', items: { type: 'string' } },
      sort: { type: 'array', items: { enum: ['asc', 'desc'] } },
      // json: the structured value or a pre-encoded string
      data: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { $ref: 'vk-api#/definitions/things_base' }, maxItems: 3 }],
      },
      keyboard: { anyOf: [{ type: 'string' }, { $ref: 'vk-api#/definitions/things_keyboard' }] },
      // value objects: "owner_id_post_id" or the object
      posts: {
        type: 'array',
        items: {
          anyOf: [
            { type: 'string' },
            {
              type: 'object',
              properties: { owner_id: { type: 'integer' }, post_id: { type: 'integer' } },
              required: ['owner_id', 'post_id'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    required: ['posts'],
    additionalProperties: false,
  });

  assert.equal(definitionsId, 'vk-api');
  assert.deepEqual(definitions, {
    things_base: {
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' } },
      required: ['id'],
      additionalProperties: false,
    },
    // allOf flattened: the later member's name wins, required accumulates, unknown fields are reported
    things_child: {
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'integer' } },
      required: ['id', 'name'],
      additionalProperties: false,
    },
    // the enum is exact; a type that contradicts it is dropped
    things_kind: { enum: [1, 2] },
    things_keyboard: {
      type: 'object',
      properties: { one_time: { type: 'boolean' } },
      required: ['one_time'],
      additionalProperties: false,
    },
    // a discriminated oneOf as ajv's discriminator: one branch per $ref of the mapping, with the tags mapped onto it
    things_tagged: {
      type: 'object',
      discriminator: { propertyName: 'type' },
      oneOf: [
        { $ref: 'vk-api#/definitions/things_base', properties: { type: { enum: ['base'] } }, required: ['type'] },
        {
          $ref: 'vk-api#/definitions/things_child',
          properties: { type: { enum: ['child', 'kid'] } },
          required: ['type'],
        },
      ],
    },
    // oneOf without a discriminator as anyOf
    things_either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    things_fields: { enum: ['name', 'photo'] },
    // responses as their payload; int32 is the one format kept
    things_ids_response: { type: 'array', items: { type: 'integer', format: 'int32' } },
    things_list_response: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        items: { type: 'array', items: { $ref: 'vk-api#/definitions/things_child' } },
      },
      required: ['count', 'items'],
      additionalProperties: false,
    },
  });

  assert.deepEqual(variants['things.list'], {
    defaults: ['things_list_response'],
    selected: [{ when: [{ kind: 'truthy', param: 'extended' }], responses: ['things_list_response'] }],
  });
  assert.deepEqual(variants['things.ids'], { defaults: ['things_ids_response'] });
});

test('data modules are marked and left as emitted by the formatter', async () => {
  const { files } = generateSources(schema(), {});
  const data = new Map([...files].filter(([path]) => path.startsWith('validation/')));
  assert.equal(data.size, 3);
  const formatted = await formatSources(data, resolve(repoRoot, '.prettierrc.json'));
  for (const [path, source] of data) assert.equal(formatted.get(path), source, `${path} was reformatted`);
});

test('pagination: methods with offset and count and a { count, items } response, with their bounds', () => {
  const methods = generateSources(schema(), {}).files.get('methods.ts')!;
  assert.match(
    methods,
    /'things\.list': \{ access: \[\], encode: \{.*\}, page: \{"maxCount":50,"minCount":10,"maxOffset":500\} \},/,
  );
  assert.match(methods, /'things\.ids': \{ access: \[\] \},/, 'a bare array of ids does not paginate');
  assert.match(methods, /export type PaginatedMethod = 'things\.list';/);
});

test('the pinned schema: 73 paginated methods, with the bounds the schema gives', () => {
  const paginated = Object.entries(methodInfo).filter(([, info]) => info.page);
  assert.equal(paginated.length, 73);
  assert.deepEqual(methodInfo['groups.getMembers'].page, { maxCount: 1000 });
  assert.deepEqual(methodInfo['fave.getPages'].page, { maxCount: 500, maxOffset: 10000 });
  assert.deepEqual(methodInfo['wall.get'].page, {});
  for (const notPaged of [
    'users.get',
    'widgets.getComments',
    'messages.getHistoryAttachments',
    'users.getSubscriptions',
  ] as const) {
    assert.equal(methodInfo[notPaged].page, undefined, notPaged);
  }
});

test('the pinned schema: every params schema and every response variant compiles with the runtime ajv', async () => {
  const methods = Object.keys(methodInfo) as MethodName[];
  for (const method of methods) await paramsValidator(method);
  let variants = 0;
  for (const method of methods) {
    for (const params of paramsSelectingEach(JSON.parse(responseVariants[method]!))) {
      await responseValidator(method, params);
      variants++;
    }
  }
  // Each method's plain response, and the 63 variants params select.
  assert.equal(variants, methods.length + 63);
});

/** Params that select the plain response, and each selected variant in turn. */
function paramsSelectingEach(variants: ResponseVariants): Record<string, unknown>[] {
  const value = ({ kind, values }: VariantCondition) =>
    kind === 'truthy' ? true : kind === 'nonEmpty' ? ['x'] : kind === 'given' ? 1 : values![0];
  return [
    {},
    ...(variants.selected ?? []).map((variant) => Object.fromEntries(variant.when.map((c) => [c.param, value(c)]))),
  ];
}
