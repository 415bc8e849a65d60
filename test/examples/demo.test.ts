// The README's main job: `npm run demo` runs examples/demo.ts against the bundled
// fake VK server and prints what each typed call returned.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/paths.js';

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { VK_TOKEN: _ignored, ...env } = process.env;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'examples/demo.ts')],
      { cwd: repoRoot, env, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('npm run demo runs examples/demo.ts', () => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(scripts['demo'], 'tsx examples/demo.ts');
});

test('the demo runs against the fake VK server without a token, and every call prints its typed result', async () => {
  const { code, stdout, stderr } = await runDemo();
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Fake VK server at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(stdout, /users\.get: Pavel Durov \(@durov, Saint Petersburg\)/);
  assert.match(stdout, /wall\.get: 1 post\(s\); "Hello from the fake wall" by Pavel, 100500 likes/);
  assert.match(stdout, /groups in the reply: VK Team/);
  assert.match(stdout, /call\("users\.get"\): \[ 1 \]/);
  assert.match(stdout, /code: +14 \(Captcha needed\)/);
  assert.ok(!stdout.includes('demo.token.0123456789abcdef'), 'the token is never printed');
});
