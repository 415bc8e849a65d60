// Property tests of params validation over every method of the schema:
// - hostile params (any JS value: NaN, bigint, functions, symbols, Maps, class
//   instances, cycles, strangers' keys) never make the validator or the encoder
//   fail with anything but a ValidationError, and what the validator accepts
//   the encoder can send; with validation off, the encoder's only error is a
//   ParamEncodingError;
// - params built from the schema itself are accepted;
// - through a session: a ValidationError means the fake server saw nothing.
// Decision: with validation on, every value that cannot be sent is a
// ValidationError (the encoder's finding folded in); with `validate: false`, the
// encoder's ParamEncodingError. Both are thrown before anything is sent.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { methodInfo, type MethodName } from '../../generated/methods.js';
import { definitions } from '../../generated/validation/definitions.js';
import { paramsSchemas } from '../../generated/validation/params.js';
import { encodeParams } from '../../src/pipeline/encode-params.js';
import { API, ApiError, ParamEncodingError, ValidationError } from '../../src/index.js';
import { SchemaChecks } from '../../src/validation/schema-checks.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';

const methods = Object.keys(methodInfo) as MethodName[];
const checks = new SchemaChecks();
const runs = Number(process.env['FC_RUNS'] ?? 400);

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  discriminator?: { propertyName: string };
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
}

const paramsSchema = (method: MethodName) => JSON.parse(paramsSchemas[method]!) as Schema;
const paramNames = (method: MethodName) => Object.keys(paramsSchema(method).properties ?? {});

const strangeValues = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -0,
  2 ** 31,
  2 ** 53 + 2,
  10n,
  () => 1,
  Symbol('s'),
  new Date(0),
  new Map([[1, 2]]),
  new Set([1]),
  /re/,
  new (class Widget {})(),
  Object.create(null) as object,
  [undefined, 1],
);

const cyclic = fc.constant(null).map(() => {
  const node: Record<string, unknown> = { id: 1 };
  node['self'] = node;
  return node;
});

const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withBoxedValues: true,
    }),
    strangeValues,
    cyclic,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }),
  ),
}));

/** Params for `method`: mostly its own param names (so the checks reach inside), some strangers. */
const hostileParams = (method: MethodName) => {
  const names = paramNames(method);
  const key = fc.oneof(
    { weight: 4, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant('x') },
    { weight: 1, arbitrary: fc.constantFrom('access_token', 'captcha_key', 'bogus', 'toString', '__proto__') },
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.dictionary(key, hostileValue, { maxKeys: 4 }) },
    { weight: 1, arbitrary: hostileValue },
  );
};

const methodAndHostileParams = fc
  .constantFrom(...methods)
  .chain((method) => fc.tuple(fc.constant(method), hostileParams(method)));

test('hostile params: the validator throws only ValidationError, and what it accepts the encoder sends', async () => {
  await fc.assert(
    fc.asyncProperty(methodAndHostileParams, async ([method, params]) => {
      try {
        await checks.checkParams(method, params as object);
      } catch (error) {
        assert.ok(error instanceof ValidationError, `${method}: ${String(error)}`);
        assert.ok(error.problems.length > 0);
        return;
      }
      encodeParams(params as object, methodInfo[method].encode);
    }),
    { numRuns: runs },
  );
});

test('hostile params with validation off: the encoder throws only ParamEncodingError', () => {
  fc.assert(
    fc.property(methodAndHostileParams, ([method, params]) => {
      try {
        encodeParams(params as object, methodInfo[method].encode);
      } catch (error) {
        assert.ok(error instanceof ParamEncodingError, `${method}: ${String(error)}`);
      }
    }),
    { numRuns: runs },
  );
});

/** Values the schema allows: the arbitrary of a (generated, validation-form) schema node. */
function valueOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.$ref) {
    const name = schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
    return valueOf(JSON.parse(definitions[name]!) as Schema, depth + 1);
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((branch) => valueOf(branch, depth)));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((branch) => taggedValueOf(branch, schema, depth)));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  return fc.oneof(...types.map((type) => valueOfType(type, schema, depth)));
}

/** A branch of a discriminated union (emit-validation.ts `discriminated`): its $ref's value, with one of the branch's tags. */
function taggedValueOf({ $ref, properties }: Schema, union: Schema, depth: number): fc.Arbitrary<unknown> {
  const tag = union.discriminator!.propertyName;
  return fc
    .tuple(valueOf({ $ref: $ref! }, depth), fc.constantFrom(...properties![tag]!.enum!))
    .map(([value, tagValue]) => ({ ...(value as object), [tag]: tagValue }));
}

function valueOfType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'integer': {
      const int32 = schema.format === 'int32';
      const min = schema.minimum ?? (int32 ? -(2 ** 31) : Number.MIN_SAFE_INTEGER);
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(schema.maximum ?? 2 ** 31 - 1, 2 ** 31 - 1) });
    }
    case 'number':
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
      });
    case 'string': {
      const minLength = schema.minLength ?? 0;
      // VK's comma-joined lists and `_`-joined value objects have no escape for
      // `,` and `_`, which the encoder refuses there (the schema cannot say so).
      return fc
        .string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 12, 12)) })
        .filter((text) => !/[,_]/.test(text));
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? 3, Math.max(minLength, depth > 3 ? minLength : 3));
      return fc.array(schema.items ? valueOf(schema.items, depth + 1) : fc.integer(), { minLength, maxLength });
    }
    default: {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      // Deep in a recursive definition only required fields are filled, so values stay finite.
      const keys = Object.keys(properties).filter((key) => required.has(key) || depth < 4);
      const record = Object.fromEntries(keys.map((key) => [key, valueOf(properties[key]!, depth + 1)]));
      return fc.record(record, { requiredKeys: keys.filter((key) => required.has(key)) });
    }
  }
}

test('params built from the schema are accepted', async () => {
  const methodAndValidParams = fc
    .constantFrom(...methods)
    .chain((method) => fc.tuple(fc.constant(method), valueOf(paramsSchema(method), 0)));
  await fc.assert(
    fc.asyncProperty(methodAndValidParams, async ([method, params]) => {
      await checks.checkParams(method, params as object);
    }),
    { numRuns: runs },
  );
});

test('keyboards built from the schema are accepted: each button action a branch of the discriminated union', async () => {
  const keyboard = JSON.parse(definitions['messages_keyboard']!) as Schema;
  const buttons = keyboard.properties!['buttons']!;
  // At least one row of at least one button, so that every run has an action.
  const rows = { ...buttons, minItems: 1, items: { ...buttons.items!, minItems: 1 } };
  const keyboards = valueOf({ ...keyboard, properties: { ...keyboard.properties, buttons: rows } }, 0);
  await fc.assert(
    fc.asyncProperty(keyboards, async (value) => {
      await checks.checkParams('messages.send', { peer_id: 1, random_id: 1, keyboard: value });
    }),
    { numRuns: runs },
  );
});

let server: FakeVk;
let api: API;

before(async () => {
  server = await startFakeVk({ tokens: ['token'] });
  api = new API({ accessToken: 'token', apiBaseUrl: server.apiBaseUrl, rateLimit: false, maxRetries: 0 });
});

after(async () => {
  await api.close();
  await server.close();
});

test('through a session: a ValidationError means nothing was sent; accepted params reach the server', async () => {
  await fc.assert(
    fc.asyncProperty(methodAndHostileParams, async ([method, params]) => {
      const before = server.requests.length;
      // The fake serves no method, so what reaches it is answered with a VK error
      // (3, unknown method; or 5 when the params carry a token of their own).
      const error = await api.callMethod(method, params as object).catch((e: unknown) => e);
      if (error instanceof ValidationError) assert.equal(server.requests.length, before);
      else {
        assert.ok(error instanceof ApiError, `${method}: ${String(error)}`);
        assert.equal(server.requests.length, before + 1);
      }
    }),
    { numRuns: Math.ceil(runs / 4) },
  );
});
