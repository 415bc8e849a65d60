// The two consumer projects bench/typecheck.ts type-checks: the same 10 calls, once
// against vk-typed and once against vk-io, each in its own folder under bench/.work/
// whose node_modules/<sdk> is a symlink (vk-typed: the repo root; vk-io: an npm install).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './processes.js';

const workDir = resolve(repoRoot, 'bench/.work');
const vkIoVersion = '4.10.1';
const vkIoInstallDir = resolve(workDir, 'vk-io');

// Identical text for both SDKs: only how `api` is created differs.
const tenCalls = `
const [durov] = await api.users.get({ user_ids: [1], fields: ['city'] });
const wall = await api.wall.get({ owner_id: 1, extended: true });
const friends = await api.friends.get({ user_id: 1, fields: ['city'] });
const groups = await api.groups.getById({ group_ids: [1], fields: ['members_count'] });
const messageId = await api.messages.send({ peer_id: 1, random_id: 0, message: 'hi' });
const photos = await api.photos.get({ owner_id: 1, album_id: 'profile' });
const isMember = await api.groups.isMember({ group_id: 1, user_id: 1 });
const resolved = await api.utils.resolveScreenName({ screen_name: 'durov' });
const cities = await api.database.getCities({ q: 'Moscow', count: 10 });
const feed = await api.newsfeed.get({ filters: ['post'], count: 10 });

console.log(durov?.first_name, wall.items.length, friends.items.length, groups.groups?.length, messageId);
console.log(photos.items[0]?.id, isMember, resolved.type, cities.items[0]?.title, feed.items.length);
`;

const clientSetup = {
  'vk-typed': `import { API } from 'vk-typed';\n\nconst api = new API({ accessToken: 't' });\n`,
  'vk-io': `import { VK } from 'vk-io';\n\nconst vk = new VK({ token: 't' });\nconst api = vk.api;\n`,
};

export type Sdk = keyof typeof clientSetup;

// What the brief asks a consumer to pass: strict, NodeNext, --noEmit --skipLibCheck.
const consumerTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['index.ts'],
};

/** npm-installs vk-io into bench/.work/vk-io/ once; later runs reuse it. */
function installVkIo(): string {
  const packageDir = resolve(vkIoInstallDir, 'node_modules/vk-io');
  const installed = existsSync(packageDir)
    ? (JSON.parse(readFileSync(resolve(packageDir, 'package.json'), 'utf8')) as { version: string }).version
    : undefined;
  if (installed === vkIoVersion) return packageDir;
  console.log(`installing vk-io@${vkIoVersion} into ${vkIoInstallDir} ...`);
  mkdirSync(vkIoInstallDir, { recursive: true });
  writeFileSync(resolve(vkIoInstallDir, 'package.json'), '{ "private": true }\n');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `vk-io@${vkIoVersion}`], {
    cwd: vkIoInstallDir,
    stdio: 'inherit',
  });
  if (npm.status !== 0) throw new Error(`npm install vk-io@${vkIoVersion} failed`);
  return packageDir;
}

/** (Re)writes the consumer project for `sdk` and returns its folder. */
export function writeConsumer(sdk: Sdk): string {
  const dir = resolve(workDir, `consumer-${sdk}`);
  const packageDir = sdk === 'vk-typed' ? repoRoot : installVkIo();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(resolve(dir, 'node_modules'), { recursive: true });
  symlinkSync(packageDir, resolve(dir, 'node_modules', sdk), 'dir');
  writeFileSync(resolve(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }, null, 2) + '\n');
  writeFileSync(resolve(dir, 'tsconfig.json'), JSON.stringify(consumerTsconfig, null, 2) + '\n');
  writeFileSync(resolve(dir, 'index.ts'), clientSetup[sdk] + tenCalls);
  return dir;
}
