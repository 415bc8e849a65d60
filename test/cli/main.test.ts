// The `vk-typed` command as a user runs it: a child process (node --import tsx
// src/cli/main.ts) against the fake VK server, checked by its exit code, its output
// and what the fake received. The cases in detail run in-process in run.test.ts.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { repoRoot } from '../support/paths.js';
import { cliToken, closedPortUrl, echoingVkError, schemaDir } from './fixture.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`; the environment holds only PATH and `env`. */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let fake: FakeVk;

before(async () => {
  fake = await startFakeVk({ tokens: [cliToken] });
  fake.reply('users.get', (params) =>
    (params['user_ids'] ?? '').split(',').map((id) => ({ id: Number(id), first_name: 'Pavel', last_name: 'Durov' })),
  );
  fake.replyError('messages.send', echoingVkError);
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

test('a valid call prints the response as one line of JSON (stdout is a pipe) and exits 0', async () => {
  const run = await cli(['users.get', 'user_ids=1,2', 'fields=city', '--api-base-url', fake.apiBaseUrl], {
    VK_TOKEN: cliToken,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.equal(
    run.stdout,
    '[{"id":1,"first_name":"Pavel","last_name":"Durov"},{"id":2,"first_name":"Pavel","last_name":"Durov"}]\n',
  );
  assert.equal(fake.requests.length, 1);
  const [request] = fake.requests;
  assert.equal(request!.path, '/method/users.get');
  assert.deepEqual(
    [request!.body['user_ids'], request!.body['fields'], request!.body['access_token']],
    ['1,2', 'city', cliToken],
  );
});

test("an invalid param exits 2 with the SDK's message, and nothing is sent", async () => {
  const run = await cli(['users.get', 'user_ids=1', 'count=abc', 'name_case=xx', '--api-base-url', fake.apiBaseUrl], {
    VK_TOKEN: cliToken,
  });
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr,
    'vk-typed: Invalid params for users.get:\n' +
      '  count: is not a param of users.get (got "abc")\n' +
      '  name_case: must be one of nom, gen, dat, acc, ins, abl (got "xx")\n',
  );
  assert.equal(run.stdout, '');
  assert.equal(fake.requests.length, 0);
});

test("a VK API error exits 3 with VK's message, the token censored", async () => {
  const run = await cli(['messages.send', 'peer_id=1', 'message=hi', '--token', cliToken, '--api-base-url', fake.apiBaseUrl]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /^vk-typed: VK API error 901: Can't send messages for users without permission \(token vk1\.\*\*\*\)$/m);
  assert.ok(!run.stdout.includes(cliToken) && !run.stderr.includes(cliToken), run.stderr);
  assert.equal(fake.requests.length, 1);
});

test('a network failure exits 4', async () => {
  const run = await cli(['users.get', 'user_ids=1', '--api-base-url', await closedPortUrl()], { VK_TOKEN: cliToken });
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /ECONNREFUSED/);
  assert.ok(!run.stderr.includes(cliToken));
});

test('--help <method> prints the method from the schema and exits 0', async () => {
  const run = await cli(['--help', 'users.report'], { VK_API_SCHEMA_DIR: schemaDir });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    [
      'users.report',
      '  Reports (submits a complain about) a user.',
      '',
      'Usage: vk-typed users.report user_id=... type=... [key=value ...]',
      'Token types: user',
      'Response: BaseOkResponse',
      '',
      'Params (* required):',
      '  user_id *  integer >= 1',
      '             ID of the user about whom a complaint is being made.',
      '  type *     one of advertisement, advertisment, fraud, insult, porn, spam',
      "             Type of complaint: 'porn' - pornography, 'spam' - spamming, 'insult' - abusive behavior, 'advertisement' - disruptive advertisements",
      '  comment    string',
      '             Comment describing the complaint.',
      '',
    ].join('\n'),
  );
});
