// The drift flywheel: a session in 'warn' mode records what the schema does not
// describe with recordDrift(file), and `npm run corrections:propose -- file` turns the
// records into proposed corrections, each traced to its definition, with its evidence.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readDriftFile, type ProposalReport } from '../../schema/propose-corrections.js';
import { API, recordDrift, type DriftRecord } from '../../src/index.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { repoRoot } from '../support/paths.js';

const token = 'vk1.a.DRIFT_TEST_TOKEN_0123456789';
const leakedSecret = 'a-secret-VK-should-not-have-sent';
let server: FakeVk;
let api: API;
const dir = mkdtempSync(join(tmpdir(), 'vk-typed-drift-'));
const driftFile = join(dir, 'drift.jsonl');

before(async () => {
  server = await startFakeVk({ tokens: [token] });
  api = new API({
    accessToken: token,
    apiBaseUrl: server.apiBaseUrl,
    rateLimit: false,
    validateResponses: 'warn',
    onResponseProblems: recordDrift(driftFile),
  });
});
after(async () => {
  await api.close();
  await server.close();
});

function propose(file: string): Promise<{ code: number; report: ProposalReport; stderr: string }> {
  const out = join(dir, 'proposals.json');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'schema/propose-corrections.ts'), file, '--out', out],
      { cwd: repoRoot },
      (error, _stdout, stderr) => {
        const report = error ? { proposals: [], unplaced: [] } : (JSON.parse(readFileSync(out, 'utf8')) as ProposalReport);
        resolve({ code: error ? 1 : 0, report, stderr });
      },
    );
  });
}

test('drift is recorded with secrets censored, and turned into corrections placed on their definitions with the record as evidence', async () => {
  server.reply('users.get', () => [
    { id: 1, first_name: 'Pavel', last_name: 'Durov', is_new_field: { level: 2 }, token: leakedSecret },
    { first_name: 'No', last_name: 'Id' },
  ]);
  server.reply('utils.getServerTime', () => 1_700_000_000);
  await api.users.get({ user_ids: [1, 2] });
  await api.utils.getServerTime();
  server.reply('users.get', () => [{ id: 3, first_name: 5, last_name: 'Typed' }]);
  await api.users.get({ user_ids: [3] });

  const text = readFileSync(driftFile, 'utf8');
  assert.ok(!text.includes(leakedSecret), 'a secret-named value is censored in the record');
  const records = text.trim().split('\n').map((line) => JSON.parse(line) as DriftRecord);
  assert.deepEqual(records.map((record) => record.method), ['users.get', 'users.get'], 'only drifting responses are recorded');
  assert.deepEqual(records[0]!.params, { user_ids: [1, 2] });

  const { code, report, stderr } = await propose(driftFile);
  assert.equal(code, 0, stderr);
  const [proposal, ...others] = report.proposals;
  assert.equal(others.length, 0, JSON.stringify(report.proposals));
  assert.equal(proposal!.target, 'users_user_full');
  assert.deepEqual(proposal!.addProperties, {
    is_new_field: { type: 'object', properties: { level: { type: 'integer' } } },
    token: { type: 'string' },
  });
  assert.deepEqual(proposal!.optional, ['id']);
  assert.match(proposal!.why, /VK sent is_new_field, token, which the schema lacks; VK left out id, which the schema requires/);
  assert.deepEqual(proposal!.evidence.length, 1);
  assert.match(proposal!.evidence[0]!, /drift\.jsonl:1 \(users\.get, \d{4}-\d\d-\d\dT/);
  assert.deepEqual(report.unplaced.length, 1);
  assert.match(report.unplaced[0]!, /drift\.jsonl:2 \(users\.get, .*\): response\.0\.first_name must be string/);
  assert.match(stderr, /1 proposed correction\(s\), 1 problem\(s\) to review by hand/);
});

test('a file that is not a drift record is refused, naming the line', () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${JSON.stringify({ method: 'users.get', response: [] })}\n\n{"response": 1}\n`);
  assert.throws(() => readDriftFile(bad), /bad\.jsonl:3: not a drift record/);
  writeFileSync(bad, 'not json\n');
  assert.throws(() => readDriftFile(bad), /bad\.jsonl:1: not JSON/);
});

test('recordDrift needs a file, and passes the problems on when asked to', () => {
  assert.throws(() => recordDrift(''), /needs the path/);
  const seen: string[] = [];
  const handler = recordDrift(join(dir, 'passed.jsonl'), (method) => seen.push(method));
  handler('users.get', [], { params: {}, response: [] });
  assert.deepEqual(seen, ['users.get']);
});
