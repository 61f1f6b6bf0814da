#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: the README promises two commands, not a
// checklist. Plain JavaScript on purpose: it must run on whatever Node.js the machine has (20 here),
// before dependencies exist.
//
//   node infra/local/ensure-setup.mjs <command> [args...]   set up what is missing, then run the command
//   node infra/local/ensure-setup.mjs --env                 Node and Java only, then print `export PATH=...`
//
// What it sets up, each only when missing:
//   1. Node.js >= 22.19: the npm registry's `node` package (Node 24) in .local/toolchain/, then re-runs
//      itself with it. The product targets Node 22+ locally and the Lambda Node.js 24 runtime.
//   2. node_modules: `npm ci` when absent or older than package-lock.json.
//   3. Java (DynamoDB Local needs it): installed with apt-get when running as root on Debian (CI and
//      the project's machines); otherwise a clear message says what to install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIN = [22, 19];
const toolchainDir = join(root, '.local', 'toolchain');
const provisionedNodeBin = join(toolchainDir, 'node_modules', 'node', 'bin');

function say(message) {
  process.stderr.write(`setup: ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function nodeIsRecentEnough() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > MIN[0] || (major === MIN[0] && minor >= MIN[1]);
}

function ensureNode() {
  if (nodeIsRecentEnough()) return;
  if (!existsSync(join(provisionedNodeBin, 'node'))) {
    say(
      `Node.js ${process.versions.node} is older than ${MIN.join('.')}; installing Node.js 24 from the npm registry into .local/toolchain/`,
    );
    const status = run(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', toolchainDir, 'node@24'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (status !== 0 || !existsSync(join(provisionedNodeBin, 'node'))) {
      say('could not install Node.js 24; install Node.js 22.19 or newer and try again');
      process.exit(1);
    }
  }
  // Re-run this script under the new Node, with it first on PATH for everything that follows.
  const env = { ...process.env, PATH: `${provisionedNodeBin}:${process.env.PATH ?? ''}` };
  const result = spawnSync(
    join(provisionedNodeBin, 'node'),
    [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env },
  );
  process.exit(result.status ?? 1);
}

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  say('installing dependencies (npm ci)');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) {
    say('npm ci failed; see the output above');
    process.exit(1);
  }
}

function hasJava() {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

function ensureJava() {
  if (hasJava()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    say('Java is missing (DynamoDB Local needs it); installing openjdk-17-jre-headless');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      run('apt-get', ['update', '-qq'], { env }) === 0 &&
      run('apt-get', ['install', '-y', '-qq', 'openjdk-17-jre-headless'], { env }) === 0 &&
      hasJava()
    )
      return;
  }
  say(
    'Java 17 or newer is needed to run DynamoDB Local. Install it (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.',
  );
  process.exit(1);
}

const args = process.argv.slice(2);
ensureNode();
// `--env` is for CI, which runs its own clean `npm ci` right after.
if (args[0] !== '--env') ensureDependencies();
ensureJava();

const binPath = `${join(root, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
if (args[0] === '--env') {
  process.stdout.write(`export PATH="${dirname(process.execPath)}:$PATH"\n`);
  process.exit(0);
}
if (args.length === 0) process.exit(0);

// Run the command as a child and wait for it. Ctrl-C reaches the child from the terminal by itself
// (same process group); this process only has to outlive it so the shell gets its prompt back after
// the child has finished cleaning up. SIGTERM is sent to us alone, so it is passed on.
const child = spawn(args[0], args.slice(1), { stdio: 'inherit', cwd: root, env: { ...process.env, PATH: binPath } });
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (error) => {
  say(`could not run ${args[0]}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
});
