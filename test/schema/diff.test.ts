// schema:diff on real releases: v5.199.63 -> v5.199.93 gives exactly the changes
// SCHEMA-NOTES.md lists, every pair of neighbouring releases diffs with method and
// param counts that agree with the JSON itself, and the CLI prints the documented
// JSON shape and Markdown.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Change, ChangeKind } from '../../schema/changelog/change.js';
import { compareReleases, loadRelease } from '../../schema/changelog/compare.js';
import { historyRelease, pinnedRelease, shared } from '../fakes/schema-tree.js';
import { repoRoot } from '../support/paths.js';

const release63 = join(shared, 'vk-api-schema-5.199.63');

function diff(from: string, to: string): Change[] {
  return compareReleases(loadRelease(from), loadRelease(to));
}

const ofKind = (changes: Change[], kind: ChangeKind) => changes.filter((c) => c.kind === kind);
const where = (c: Change) => (c.param ? `${c.method}(${c.param})` : c.method);

test('v5.199.63 -> v5.199.93 reports exactly the known changes', () => {
  const changes = diff(release63, pinnedRelease);
  assert.deepEqual(ofKind(changes, 'method-added').map(where), [
    'market.saveProductPhotoBulk',
    'messages.muteChatMentions',
    'video.getThumbUploadUrl',
    'video.saveUploadedThumb',
  ]);
  const removed = ofKind(changes, 'method-removed');
  assert.deepEqual(removed.map(where), [
    'adsweb.getAdCategories',
    'adsweb.getAdUnitCode',
    'adsweb.getAdUnits',
    'adsweb.getFraudHistory',
    'adsweb.getSites',
    'adsweb.getStatistics',
    'asr.checkStatus',
    'asr.getUploadUrl',
    'asr.process',
    'photos.getMarketUploadServer',
    'photos.saveMarketPhoto',
  ]);
  assert.ok(removed.every((c) => c.breaking));
  assert.deepEqual(ofKind(changes, 'param-added').map(where), [
    'account.registerDevice(pushes_granted)',
    'bugtracker.createComment(hidden_attachments)',
    'database.getCities(fields)',
    'database.getCitiesById(fields)',
    'groups.setSettings(bot_online_booking_enabled)',
    'market.getProductPhotoUploadServer(bulk)',
    'store.getStickersKeywords(vmoji_promo)',
    'video.save(auto_publish)',
    'wall.deleteComment(post_id)',
    'wall.editComment(post_id)',
  ]);
  assert.deepEqual(ofKind(changes, 'param-removed'), []);
  assert.deepEqual(ofKind(changes, 'param-required-changed'), []);
  assert.deepEqual(ofKind(changes, 'param-type-changed'), [
    {
      kind: 'param-type-changed',
      breaking: false,
      method: 'stats.get',
      param: 'timestamp_from',
      detail: 'integer -> number',
    },
    {
      kind: 'param-type-changed',
      breaking: false,
      method: 'stats.get',
      param: 'timestamp_to',
      detail: 'integer -> number',
    },
  ]);
  assert.deepEqual(
    ofKind(changes, 'enum-value-added').filter((c) => c.method),
    [
      {
        kind: 'enum-value-added',
        breaking: false,
        method: 'apps.getCatalog',
        param: 'filter',
        detail: '"recommended"',
      },
    ],
  );
  assert.deepEqual(ofKind(changes, 'enum-value-removed'), [
    ...[
      'is_esia_linked',
      'is_esia_verified',
      'is_sber_linked',
      'is_sber_verified',
      'is_tinkoff_linked',
      'is_tinkoff_verified',
    ].map((value) => ({ kind: 'enum-value-removed', breaking: true, detail: `users_fields: "${value}"` })),
  ]);
  // friends.getSuggestions' filter enum was only reordered.
  assert.deepEqual(
    changes.filter((c) => c.method === 'friends.getSuggestions' || c.detail?.includes('friends_getSuggestions')),
    [],
  );
});

/** Method name -> its param names, read straight from the release's methods.json files. */
function methodsOf(dir: string): Map<string, string[]> {
  const methods = new Map<string, string[]>();
  for (const section of readdirSync(dir)) {
    let file: { methods: { name: string; parameters?: { name: string }[] }[] };
    try {
      file = JSON.parse(readFileSync(join(dir, section, 'methods.json'), 'utf8'));
    } catch {
      continue; // not a section with methods
    }
    for (const method of file.methods)
      methods.set(
        method.name,
        (method.parameters ?? []).map((p) => p.name),
      );
  }
  return methods;
}

test('every pair of neighbouring releases diffs, with method and param counts that agree with the JSON', () => {
  const releases = [
    historyRelease('v5.199.26'),
    release63,
    historyRelease('v5.199.81'),
    historyRelease('v5.199.91'),
    pinnedRelease,
  ];
  for (const [from, to] of releases.slice(1).map((to, i) => [releases[i]!, to] as const)) {
    const changes = diff(from, to);
    const before = methodsOf(from);
    const after = methodsOf(to);
    const common = [...before.keys()].filter((name) => after.has(name));
    const count = (kind: ChangeKind) => ofKind(changes, kind).length;
    const label = `${from} -> ${to}`;
    assert.equal(count('method-added'), [...after.keys()].filter((name) => !before.has(name)).length, label);
    assert.equal(count('method-removed'), [...before.keys()].filter((name) => !after.has(name)).length, label);
    assert.equal(before.size + count('method-added') - count('method-removed'), after.size, label);
    const paramsAdded = common.reduce(
      (n, name) => n + after.get(name)!.filter((p) => !before.get(name)!.includes(p)).length,
      0,
    );
    const paramsRemoved = common.reduce(
      (n, name) => n + before.get(name)!.filter((p) => !after.get(name)!.includes(p)).length,
      0,
    );
    assert.equal(count('param-added'), paramsAdded, label);
    assert.equal(count('param-removed'), paramsRemoved, label);
  }
});

test('a diff and its reverse mirror each other', () => {
  const forward = diff(historyRelease('v5.199.91'), pinnedRelease);
  const backward = diff(pinnedRelease, historyRelease('v5.199.91'));
  const flip = (kind: ChangeKind) =>
    kind
      .replace(/-added$/, '-TMP')
      .replace(/-removed$/, '-added')
      .replace(/-TMP$/, '-removed');
  assert.deepEqual(
    backward.map((c) => [flip(c.kind), c.method, c.detail]).sort(),
    forward.map((c) => [c.kind, c.method, c.detail]).sort(),
  );
  assert.ok(forward.some((c) => c.kind === 'section-removed' && c.detail === 'adsweb'));
});

function runDiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'schema/diff.ts'), ...args],
      { cwd: repoRoot },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

test('the CLI prints { "changes": [...] } with --json, and a Markdown changelog without', async () => {
  const [json, markdown] = await Promise.all([
    runDiff(release63, pinnedRelease, '--json'),
    runDiff(release63, pinnedRelease),
  ]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { changes: Change[] };
  assert.deepEqual(Object.keys(parsed), ['changes']);
  assert.deepEqual(parsed.changes, diff(release63, pinnedRelease));
  const order = ['kind', 'breaking', 'method', 'param', 'detail'];
  for (const entry of parsed.changes) {
    const keys = Object.keys(entry);
    assert.deepEqual(
      keys,
      order.filter((key) => keys.includes(key)),
    );
    assert.equal(typeof entry.breaking, 'boolean');
  }
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /^## VK API schema: \S+ -> \S+\n/);
  assert.match(markdown.stdout, /\n### Breaking changes \(\d+\)\n/);
  assert.match(markdown.stdout, /\n\*\*Methods removed\*\*\n\n- `adsweb\.getAdCategories`\n/);
  assert.match(markdown.stdout, /\n- `stats\.get\(timestamp_from\)`: integer -> number\n/);
  assert.match(markdown.stdout, /\n- `users_fields`: "is_esia_linked"\n/);
});

test('the CLI explains its usage', async () => {
  const { code, stderr } = await runDiff(pinnedRelease);
  assert.equal(code, 2);
  assert.match(stderr, /usage: schema:diff OLD_DIR NEW_DIR/);
});
