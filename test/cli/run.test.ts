// runCli() in-process, against the fake VK server: every way a run ends (exit code,
// stdout, stderr), what is sent, and that the token is printed nowhere.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { startFakeVk, type FakeVk } from '../../src/testing/fake-vk.js';
import { repoRoot } from '../support/paths.js';
import { cliToken, closedPortUrl, echoingVkError, schemaDir } from './fixture.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: readonly string[], env: Record<string, string> = {}, stdoutIsTTY = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: { isTTY: stdoutIsTTY, write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

let fake: FakeVk;
const withToken = { VK_TOKEN: cliToken };
const api = () => ['--api-base-url', fake.apiBaseUrl];

before(async () => {
  fake = await startFakeVk({ tokens: [cliToken] });
  fake.reply('users.get', [{ id: 1, first_name: 'Pavel', last_name: 'Durov' }]);
  fake.reply('wall.get', { count: 0, items: [] });
  fake.reply('messages.send', 42);
  fake.replyError('messages.delete', echoingVkError);
  fake.reply('users.getFollowers', () => new Promise(() => {}));
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('a valid call exits 0', () => {
  test('JSON on one line for a pipe, indented for a terminal', async () => {
    const piped = await run(['users.get', 'user_ids=1', ...api()], withToken);
    assert.deepEqual(piped, { code: 0, stdout: '[{"id":1,"first_name":"Pavel","last_name":"Durov"}]\n', stderr: '' });
    const terminal = await run(['users.get', 'user_ids=1', ...api()], withToken, true);
    assert.equal(terminal.stdout, `${JSON.stringify([{ id: 1, first_name: 'Pavel', last_name: 'Durov' }], null, 2)}\n`);
  });

  test('values are sent as the schema types them', async () => {
    const keyboard = '{"one_time":true,"buttons":[[{"action":{"type":"text","label":"Hi"}}]]}';
    const sent = await run(
      ['messages.send', 'peer_id=-5', 'random_id=7', 'message=a, b', 'dont_parse_links=true', `keyboard=${keyboard}`, ...api()],
      withToken,
    );
    assert.deepEqual(sent, { code: 0, stdout: '42\n', stderr: '' });
    const body = fake.requests[0]!.body;
    assert.deepEqual(
      [body['peer_id'], body['random_id'], body['message'], body['dont_parse_links'], JSON.parse(body['keyboard']!)],
      ['-5', '7', 'a, b', '1', JSON.parse(keyboard)],
    );
    await run(['wall.get', 'owner_id=1', 'extended=0', 'count=5', 'fields=', ...api()], withToken);
    const wall = fake.requests[1]!.body;
    assert.deepEqual([wall['owner_id'], wall['extended'], wall['count'], wall['fields']], ['1', '0', '5', '']);
  });

  test('--token wins over VK_TOKEN; --lang is sent', async () => {
    const result = await run(['users.get', '--token', cliToken, '--lang', 'en', ...api()], { VK_TOKEN: 'vk1.a.other' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(fake.requests[0]!.body['access_token'], cliToken);
    assert.equal(fake.requests[0]!.body['lang'], 'en');
  });
});

describe('exit 2, nothing sent', () => {
  const cases: [string, string[], RegExp][] = [
    ['a value of the wrong type', ['wall.get', 'count=abc'], /^vk-typed: Invalid params for wall\.get:\n {2}count: must be integer \(got "abc"\)\n$/],
    ['a misspelt param', ['users.get', 'user_idz=1'], /user_idz: is not a param of users\.get; did you mean "user_ids"\?/],
    ['a boolean that is none', ['wall.get', 'extended=yes'], /extended: must be boolean \(got "yes"\)/],
    ['JSON that does not parse', ['messages.send', 'random_id=1', 'keyboard={"one_time":'], /keyboard: not valid JSON \(/],
    ['a JSON list that does not parse', ['users.get', 'user_ids=[1,2'], /user_ids: not valid JSON \(/],
    ['a missing required param', ['users.report', 'type=spam'], /user_id: is required/],
    ['an argument that is not key=value', ['users.get', 'user_ids'], /expected key=value, got "user_ids"\nSee vk-typed --help\.\n$/],
    ['a token pasted as an argument', ['users.get', cliToken], /expected key=value, got "vk1\.\*\*\*"/],
    ['a param given twice', ['users.get', 'user_ids=1', 'user_ids=2'], /user_ids is given twice/],
    ['an unknown method', ['users.gett'], /unknown method users\.gett; users has get, getFollowers, getSubscriptions, report, search/],
    ['an unknown section', ['usr.get'], /unknown method or section usr\.get; the sections are account, ads, /],
    ['an unknown flag', ['users.get', '--tokne', 'x'], /Unknown option '--tokne'/],
    ['a flag without its value', ['users.get', '--timeout'], /Option '--timeout <value>' argument missing/],
    ['a timeout that is no number', ['users.get', '--timeout', 'soon'], /--timeout must be a whole number of milliseconds above 0, got "soon"/],
    ['an API URL that is none', ['users.get', '--api-base-url', 'ftp://x'], /--api-base-url must be an http\(s\) URL/],
    ['no method', [], /no method given/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const result = await run([...api(), ...args], withToken);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
      assert.ok(!result.stderr.includes(cliToken));
      assert.equal(fake.requests.length, 0);
    });
  }

  test('no token for a method that needs one', async () => {
    const result = await run(['users.get', 'user_ids=1', ...api()], { VK_TOKEN: '' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /users\.get needs an access token \(group, service, user\): set VK_TOKEN or pass --token/);
    assert.equal(fake.requests.length, 0);
  });
});

describe('exit 3: a VK API error, printed with the token censored', () => {
  for (const [how, args, env] of [
    ['VK_TOKEN', [], withToken],
    ['--token', ['--token', cliToken], {}],
    ['--token=', [`--token=${cliToken}`], {}],
  ] as const) {
    test(`token from ${how}`, async () => {
      const result = await run(['messages.delete', 'message_ids=1', ...args, ...api()], env);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(
        result.stderr,
        "vk-typed: VK API error 901: Can't send messages for users without permission (token vk1.***)\n" +
          'request_params: {"method":"messages.delete","oauth":"1","v":"5.199","message_ids":"1"}\n',
      );
      assert.equal(result.stdout, '');
    });
  }

  test('a token VK refuses: error 5', async () => {
    const refused = 'vk1.a.REFUSED_TOKEN_abcdefghijklmnopqrstuvwxyz0123456789';
    const result = await run(['users.get', ...api()], { VK_TOKEN: refused });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^vk-typed: VK API error 5: User authorization failed: invalid access_token \(4\)\.$/m);
    assert.ok(!result.stderr.includes(refused));
  });
});

describe('exit 4: no reply from VK', () => {
  test('nothing listens at the API URL', async () => {
    const result = await run(['users.get', '--api-base-url', await closedPortUrl()], withToken);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /ECONNREFUSED/);
  });

  test('VK does not answer within --timeout', async () => {
    const result = await run(['users.getFollowers', '--timeout', '100', ...api()], withToken);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /^vk-typed: Request timed out after 100 ms/);
  });
});

describe('--help', () => {
  const withSchema = { VK_API_SCHEMA_DIR: schemaDir };

  test('a method whose params select the response lists each variant, and list types with their bound', async () => {
    const wall = await run(['wall.get', '--help'], withSchema);
    assert.equal(wall.code, 0);
    assert.match(wall.stdout, /^Response:\n {2}with extended=1: WallGetExtendedResponse\n {2}otherwise: WallGetResponse$/m);
    assert.match(wall.stdout, /^ {2}filter +one of owner, others, all, postponed, suggests, archived, donut\n/m);
    const users = await run(['-h', 'users.get'], withSchema);
    assert.match(users.stdout, /^ {2}user_ids +list of integer or string \(a,b or JSON, at most 1000\)$/m);
    const members = await run(['--help', 'groups.getMembers'], withSchema);
    assert.match(members.stdout, /^ {2}with filter=managers: GroupsGetMembersFilterResponse$/m);
  });

  test('without a schema at hand: the same help less the descriptions, and it says why', async () => {
    const result = await run(['--help', 'users.report'], { VK_API_SCHEMA_DIR: join(repoRoot, 'no-such-schema') });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ {2}type \* +one of advertisement, advertisment, fraud, insult, porn, spam$/m);
    assert.doesNotMatch(result.stdout, /Reports \(submits/);
    assert.match(result.stdout, /\(No descriptions: no VK API schema at VK_API_SCHEMA_DIR \(.*no-such-schema\); set VK_API_SCHEMA_DIR/);
  });

  test('alone: usage, flags and exit codes', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ {2}vk-typed <method> \[key=value \.\.\.\] \[flags\]$/m);
    assert.match(result.stdout, /^ {2}--api-base-url <url> +API endpoint/m);
    for (const code of ['0', '1', '2', '3', '4']) assert.match(result.stdout, new RegExp(`^ {2}${code} {2}\\S`, 'm'));
    assert.match(result.stdout, /^Sections: account, ads, .*, widgets$/m);
  });

  test('a section lists its methods with their descriptions', async () => {
    const result = await run(['-h', 'users'], withSchema);
    assert.match(result.stdout, /^users: 5 methods/);
    assert.match(result.stdout, /^ {2}users\.get +Returns detailed information on users\.$/m);
  });

  test('an unknown topic, or two, exit 2', async () => {
    assert.equal((await run(['--help', 'nosuch'])).code, 2);
    const two = await run(['--help', 'users.get', 'users.search']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /--help takes one topic/);
  });
});
