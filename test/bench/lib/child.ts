/** Runs a benchmark child process and reads the JSON line it prints last. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ChildRun {
  /** Node flags before the script (e.g. heap sizes, `--import tsx`). */
  nodeArgs?: readonly string[];
  script: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function runJsonChild<T>(run: ChildRun): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(run.nodeArgs ?? []), run.script], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 600_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`benchmark child ${run.script} exited with ${code ?? signal}: ${stderr.trim().slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
      } catch (error) {
        reject(
          new Error(`benchmark child printed no result: ${stdout.slice(-500)} ${stderr.slice(-500)}`, { cause: error }),
        );
      }
    });
  });
}
