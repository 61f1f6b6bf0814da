/**
 * vitest globalSetup: a guard that no emulator process outlives the test run.
 *
 * Add to a vitest project: `globalSetup: ['test/support/global-setup.ts']`.
 *  - setup: gives this run its own pid registry directory (inherited by the workers through
 *    `EMULATOR_REGISTRY_DIR`), and kills orphans an earlier crashed run left in the default one
 *    (only those whose owning process is dead, so a parallel run is never touched).
 *  - teardown: anything still registered is killed (whole process group) and the run fails with
 *    the list, so a leak is noticed rather than accumulating.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_DIR_ENV, reapRegisteredProcesses, registryDir } from '../../infra/local/emulators/registry.ts';

let runDir: string | undefined;

/** Before the run: reaps orphans of earlier runs and gives this run a process registry of its own. */
export function setup(): () => void {
  reapRegisteredProcesses({ dir: registryDir(), onlyOrphans: true });
  runDir = mkdtempSync(join(tmpdir(), 'emulators-run-'));
  process.env[REGISTRY_DIR_ENV] = runDir;
  return teardown;
}

/** After the run: kills any emulator process that outlived it and fails the run if there was one. */
export function teardown(): void {
  if (!runDir) return;
  const dir = runDir;
  runDir = undefined;
  const leftovers = reapRegisteredProcesses({ dir });
  rmSync(dir, { recursive: true, force: true });
  if (leftovers.length > 0) {
    const list = leftovers.map((p) => `${p.name} (pid ${p.pid}, started by ${p.ownerPid})`).join(', ');
    throw new Error(`Emulator processes were left running after the tests and have been killed: ${list}`);
  }
}
