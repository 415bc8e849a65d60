// Every example in examples/ runs as a child process the way `npm run example:<name>`
// runs it, with no VK_* variable set: against the fake VK of vk-typed/testing, with
// any connection beyond loopback refused (loopback-only.ts), stdin scripted where the
// example asks. Its output shows what each typed call returned. (The demo has its
// own test, demo.test.ts.)

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/paths.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `examples/<name>.ts` with `args`, `stdin` typed in, and `env` over a copy of
 * the test's environment from which every VK_* variable is taken out. */
function runExample(name: string, options: { args?: string[]; stdin?: string; env?: Record<string, string> } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VK_')));
  return new Promise<Run>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/examples/loopback-only.ts', `examples/${name}.ts`, ...(options.args ?? [])],
      { cwd: repoRoot, env: { ...env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** Asserts a clean run: exit 0, nothing refused by the loopback guard, every pattern in stdout. */
function assertRan(run: Run, patterns: RegExp[]): void {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stderr.includes('loopback-only'), run.stderr);
  for (const pattern of patterns) assert.match(run.stdout, pattern);
}

const fakeBanner = /^Fake VK at http:\/\/127\.0\.0\.1:\d+/;

describe('the examples, against the fake VK', { concurrency: true }, () => {
  test('users-get: users.get with fields', async () => {
    assertRan(await runExample('users-get'), [
      fakeBanner,
      /^1: Pavel Durov \(@durov, Saint Petersburg\)$/m,
      /^2: Alexandra Vladimirova \(@id2, no city\)$/m,
      /^2 of 2 found$/m,
    ]);
    assertRan(await runExample('users-get', { args: ['durov'] }), [/^1: Pavel Durov/m, /^1 of 1 found$/m]);
  });

  test('wall-reader: the posts of every page in order, then a page count', async () => {
    const all = await runExample('wall-reader');
    assertRan(all, [fakeBanner, /^#45 2023-11-14 Post number 45$/m, /^45 posts of durov in 3 pages of up to 20$/m]);
    const ids = [...all.stdout.matchAll(/^#(\d+) /gm)].map((match) => Number(match[1]));
    assert.deepEqual(
      ids,
      Array.from({ length: 45 }, (_, n) => 45 - n),
    );
    assertRan(await runExample('wall-reader', { args: ['team', '25'] }), [/^25 posts of team in 2 pages of up to 20$/m]);
  });

  test('community-bot: answers each scripted message over the long poll, then stops', async () => {
    assertRan(await runExample('community-bot'), [
      fakeBanner,
      /^<- 1001: hello\n-> 1001: Hello! Ask me the "time"\.$/m,
      /^<- 1001: time\n-> 1001: VK's time is 2023-11-14T22:13:20\.000Z$/m,
      /^<- 1001: what is this\?\n-> 1001: You said: what is this\?$/m,
      /^Stopped after 3 answers$/m,
    ]);
  });

  test('community-bot with VK_TOKEN but no VK_GROUP_ID: says what is missing, sends nothing', async () => {
    const run = await runExample('community-bot', { env: { VK_TOKEN: 'a-token-never-sent' } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Set VK_GROUP_ID/);
    assert.ok(!run.stderr.includes('loopback-only'), run.stderr);
  });

  test('photo-upload: uploaded, saved, attached and sent', async () => {
    assertRan(await runExample('photo-upload'), [
      /^Fake VK at http:\/\/127\.0\.0\.1:\d+, upload host at http:\/\/127\.0\.0\.1:\d+/,
      /^uploaded 70 of 70 bytes$/m,
      /^saved as photo100_457239017_k[0-9a-f]{8}$/m,
      /^sent to 1001 as message 1$/m,
      /^the fake host received dot\.png \(70 bytes, sha256 [0-9a-f]{12}\.\.\.\)$/m,
    ]);
    assertRan(await runExample('photo-upload', { args: ['LICENSE'] }), [/received LICENSE \(\d+ bytes/]);
  });

  test('interactive-login: login, password, captcha key and 2FA code typed on stdin', async () => {
    const run = await runExample('interactive-login', {
      stdin: 'alice@example.com\nfake-password\nx7k2pq\n123456\n',
    });
    assertRan(run, [
      fakeBanner,
      /VK user login: VK user password: Open CAPTCHA image url: http:\/\/127\.0\.0\.1:\d+\/captcha\.php\?sid=\d+&s=1\nEnter CAPTCHA key: Auth check code: /,
      /^Logged in as Alice Example \(id 1001\)$/m,
    ]);
  });

  test('interactive-login with a wrong password: fails as an AuthError, the password typed never printed', async () => {
    const run = await runExample('interactive-login', { stdin: 'alice@example.com\nnot-her-password\n' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Login failed \(\w+\): /m);
    assert.ok(!`${run.stdout}${run.stderr}`.includes('not-her-password'));
    assert.ok(!run.stderr.includes('loopback-only'), run.stderr);
  });
});

test('every example has a test above and an npm script', () => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const tested = [...readFileSync(new URL(import.meta.url), 'utf8').matchAll(/runExample\('([\w-]+)'/g)].map((m) => m[1]);
  for (const file of readdirSync(join(repoRoot, 'examples')).filter((name) => name.endsWith('.ts'))) {
    const name = file.slice(0, -3);
    if (name === 'demo') continue;
    assert.ok(tested.includes(name), `examples/${file} has no test here`);
    assert.equal(scripts[`example:${name}`], `tsx examples/${file}`);
  }
});

test('the loopback guard refuses a connection beyond loopback', async () => {
  const run = await new Promise<Run>((resolve) => {
    const probe = "await fetch('http://example.com/').catch((error) => console.log(String(error.cause?.message)));";
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/examples/loopback-only.ts', '--input-type=module', '--eval', probe],
      { cwd: repoRoot, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
  });
  assert.match(run.stdout, /loopback-only: no connection to example\.com/);
  assert.match(run.stderr, /refused a connection to example\.com/);
});
