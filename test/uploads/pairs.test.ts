// The pairing of upload-server and save methods, held to the schema: every method of
// the schema that gives an upload URL (by its name, or by an upload_url in its
// response) has a save method, or a reason in kinds.ts why it has none; every pair is
// an `api.upload` kind; the rule as code and as a type agree; the data names only
// params the schema's methods have.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { saveMethodOverrides, unpairedUploadServers, uploadKinds, type UploadKind } from '../../src/uploads/kinds.js';
import { isUploadServerName, saveMethodOf } from '../../src/uploads/pairs.js';
import type { UploadSaveMethod } from '../../src/uploads/upload-types.js';
import { repoRoot } from '../support/paths.js';

const schemaDir = process.env.VK_API_SCHEMA_DIR ?? resolve(repoRoot, 'schema/vk-api-schema');

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
}

interface SchemaMethod {
  name: string;
  parameters?: { name: string }[];
  responses: Record<string, SchemaNode>;
}

const files = new Map<string, { definitions?: Record<string, SchemaNode>; methods?: SchemaMethod[] }>();
const load = (file: string) => {
  if (!files.has(file)) files.set(file, JSON.parse(readFileSync(file, 'utf8')));
  return files.get(file)!;
};

const methods: SchemaMethod[] = readdirSync(schemaDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    try {
      return load(join(schemaDir, entry.name, 'methods.json')).methods ?? [];
    } catch {
      return [];
    }
  });
const methodNames: ReadonlySet<string> = new Set(methods.map((method) => method.name));
const paramsOf = (name: string) =>
  new Set(methods.find((method) => method.name === name)?.parameters?.map((p) => p.name));

/** Follows `$ref`s (across files) and `allOf`s to the properties a node has. */
function propertiesOf(node: SchemaNode, file: string, depth = 0): Record<string, { node: SchemaNode; file: string }> {
  if (depth > 20) return {};
  if (node.$ref !== undefined) {
    const [path, pointer] = node.$ref.split('#/definitions/');
    const target = path ? resolve(dirname(file), path) : file;
    const definition = load(target).definitions?.[pointer!];
    return definition === undefined ? {} : propertiesOf(definition, target, depth + 1);
  }
  const own = Object.fromEntries(
    Object.entries(node.properties ?? {}).map(([key, value]) => [key, { node: value, file }]),
  );
  return Object.assign({}, ...(node.allOf ?? []).map((part) => propertiesOf(part, file, depth + 1)), own);
}

/** Whether the method's response carries an upload_url (video.save's does). */
function repliesUploadUrl(method: SchemaMethod): boolean {
  const file = join(schemaDir, method.name.split('.')[0]!, 'methods.json');
  return Object.values(method.responses).some((response) => {
    const payload = propertiesOf(response, file)['response'];
    return payload !== undefined && 'upload_url' in propertiesOf(payload.node, payload.file);
  });
}

/** The schema's upload-server methods that nothing here pairs or explains. */
function unexplained(servers: readonly string[], names: ReadonlySet<string>): string[] {
  const selfSaving = new Set<string>(
    Object.values(uploadKinds)
      .filter((kind) => !('fromReply' in kind))
      .map((kind) => kind.server),
  );
  return servers.filter(
    (server) =>
      saveMethodOf(server, names) === undefined &&
      !selfSaving.has(server) &&
      !Object.hasOwn(unpairedUploadServers, server),
  );
}

const uploadServers = methods
  .filter((method) => isUploadServerName(method.name) || repliesUploadUrl(method))
  .map((method) => method.name);

test('the schema is there and has upload-server methods, found by name and by response', () => {
  assert.ok(methods.length > 500, `read ${methods.length} methods from ${schemaDir}`);
  assert.ok(uploadServers.includes('photos.getMessagesUploadServer'));
  assert.ok(uploadServers.includes('video.save'), 'video.save gives an upload_url');
  assert.ok(uploadServers.length >= 20, uploadServers.join(', '));
});

test('every upload-server method of the schema has a save method, or a reason why not', () => {
  assert.deepEqual(unexplained(uploadServers, methodNames), []);
});

test('the check fails for an upload-server method without a pair', () => {
  const grown = new Set([...methodNames, 'widgets.getBannerUploadServer', 'photos.getStickerUploadUrl']);
  assert.deepEqual(
    unexplained(['widgets.getBannerUploadServer', 'photos.getStickerUploadUrl', ...uploadServers], grown),
    ['widgets.getBannerUploadServer'],
  );
  // The schema's plain `photos.save` is found for any photos.get*UploadUrl: a new
  // photos upload would be paired; the kinds' own tests say whether rightly.
  assert.equal(saveMethodOf('photos.getStickerUploadUrl', grown), 'photos.save');
});

test('every pair is a kind of api.upload', () => {
  const served = new Set<string>(Object.values(uploadKinds).map((kind) => kind.server));
  assert.deepEqual(
    uploadServers.filter((server) => saveMethodOf(server, methodNames) !== undefined && !served.has(server)),
    [],
  );
});

test('the data names only methods of the schema, and unpaired ones have no pair by name', () => {
  for (const [server, save] of Object.entries(saveMethodOverrides)) {
    assert.ok(methodNames.has(server) && methodNames.has(save), `${server} -> ${save}`);
  }
  for (const server of Object.keys(unpairedUploadServers)) {
    assert.ok(methodNames.has(server), server);
    assert.equal(saveMethodOf(server, methodNames), undefined, server);
  }
});

// The rule as a type: each value must be `UploadSaveMethod<K>`, or the file does not compile.
const typedPairs: { [K in UploadKind]: UploadSaveMethod<K> | null } = {
  messagePhoto: 'photos.saveMessagesPhoto',
  wallPhoto: 'photos.saveWallPhoto',
  albumPhotos: 'photos.save',
  ownerPhoto: 'photos.saveOwnerPhoto',
  chatPhoto: 'messages.setChatPhoto',
  marketProductPhoto: 'market.saveProductPhoto',
  marketAlbumPhoto: 'photos.saveMarketAlbumPhoto',
  messageDocument: 'docs.save',
  wallDocument: 'docs.save',
  document: 'docs.save',
  video: null,
  storyPhoto: 'stories.save',
  storyVideo: 'stories.save',
  pollBackground: 'polls.savePhoto',
  groupCover: 'photos.saveOwnerCoverPhoto',
  appImage: 'appWidgets.saveAppImage',
  groupImage: 'appWidgets.saveGroupImage',
  videoThumb: 'video.saveUploadedThumb',
};

test('the rule as code gives what the rule as a type does, for every kind', () => {
  for (const [kind, save] of Object.entries(typedPairs) as [UploadKind, string | null][]) {
    const spec = uploadKinds[kind];
    assert.equal('fromReply' in spec ? saveMethodOf(spec.server, methodNames) : undefined, save ?? undefined, kind);
  }
});

test("each kind's data names params its methods have", () => {
  for (const [kind, spec] of Object.entries(uploadKinds)) {
    assert.ok(methodNames.has(spec.server), `${kind}: ${spec.server}`);
    const save = 'fromReply' in spec ? saveMethodOf(spec.server, methodNames) : undefined;
    const saveParams = save === undefined ? new Set<string>() : paramsOf(save);
    for (const param of Object.keys('fromReply' in spec ? spec.fromReply : {}))
      assert.ok(saveParams.has(param), `${kind}: ${save} takes ${param}`);
    for (const param of Object.keys('withheld' in spec ? spec.withheld : {})) {
      assert.ok(paramsOf(spec.server).has(param) || saveParams.has(param), `${kind}: withheld ${param} is a param`);
    }
    assert.match(spec.field, /^[a-z_]+$/);
    assert.ok(spec.evidence.length > 20, `${kind} says where its facts come from`);
  }
});
