/**
 * Where local mode's functions send their library requests: the library sandbox, run as a child process
 * we own through its CLI (infra/local/sandbox/cli.ts), or, when `LIBRARY_BASE_URL`,
 * `LIBRARY_API_KEY` and `LIBRARY_ACCESS_TOKEN` are set, the real MyLibrary API (no sandbox is started).
 *
 * Either way the credentials go into the Secrets Manager stand-in, where the functions read them as
 * they do on AWS. Real credentials are never printed: `describe()` shows the URL only.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnManaged, waitUntilReady, httpProbe } from '../emulators/processes.ts';
import type { SandboxCounters, SandboxFileView } from '../sandbox/index.ts';

/** The API key and access token every library request carries. */
export interface LibraryCredentials {
  apiKey: string;
  accessToken: string;
}

/** The sandbox child process, with its admin API (`/__sandbox/`) as async calls. */
export interface SandboxProcess {
  /** `http://127.0.0.1:PORT/v2` */
  baseUrl: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  pid: number;
  credentials: LibraryCredentials;
  counters(): Promise<SandboxCounters>;
  files(): Promise<SandboxFileView[]>;
  stop(): Promise<void>;
}

/** The sandbox CLI's settings. */
export interface SandboxProcessOptions {
  /** Requests per second the sandbox allows (its default: 4, the vendor's limit). */
  perSecond?: number;
  perDay?: number;
  processingMs?: number;
  uploadedMs?: number;
  seed?: number;
  /** Further CLI flags, e.g. `['--server-error-rate', '0.1']`. */
  extraArgs?: readonly string[];
  timeoutMs?: number;
}

/** The API the functions talk to. */
export type LibraryTarget =
  | { kind: 'sandbox'; baseUrl: string; credentials: LibraryCredentials; sandbox: SandboxProcess }
  | { kind: 'api'; baseUrl: string; credentials: LibraryCredentials };

const SANDBOX_CLI = fileURLToPath(new URL('../sandbox/cli.ts', import.meta.url));

/** The tsx loader, so a child `node` can run the sandbox's TypeScript (it uses parameter properties). */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Starts the sandbox CLI as a child process we own and waits until it answers. */
export async function startSandboxProcess(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const args = ['--port', '0'];
  const flag = (name: string, value: number | undefined): void => {
    if (value !== undefined) args.push(`--${name}`, String(value));
  };
  flag('per-second', options.perSecond);
  flag('per-day', options.perDay);
  flag('processing-ms', options.processingMs);
  flag('uploaded-ms', options.uploadedMs);
  flag('seed', options.seed);
  args.push(...(options.extraArgs ?? []));

  const printed: { baseUrl?: string; apiKey?: string; accessToken?: string } = {};
  const proc = spawnManaged({
    name: 'library-sandbox',
    command: process.execPath,
    args: ['--import', tsxLoaderUrl(), SANDBOX_CLI, ...args],
    env: { ...process.env, NODE_OPTIONS: '' },
    onStdoutLine: (line) => {
      const match = /^\s*(base URL|api key|access token):\s*(\S+)\s*$/.exec(line);
      if (!match) return;
      if (match[1] === 'base URL') printed.baseUrl = match[2];
      else if (match[1] === 'api key') printed.apiKey = match[2];
      else printed.accessToken = match[2];
    },
  });
  try {
    await waitUntilReady(proc, async () => printed.accessToken !== undefined, {
      timeoutMs: options.timeoutMs ?? 20_000,
      intervalMs: 25,
      what: 'the library sandbox to print its address',
    });
    const baseUrl = printed.baseUrl as string;
    const origin = new URL(baseUrl).origin;
    await waitUntilReady(proc, httpProbe(`${origin}/__sandbox/health`, 200), {
      timeoutMs: 5_000,
      what: 'sandbox /__sandbox/health',
    });
    const admin = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${origin}/__sandbox/${path}`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`sandbox admin ${path}: HTTP ${response.status}`);
      return (await response.json()) as T;
    };
    return {
      baseUrl,
      origin,
      port: Number(new URL(origin).port),
      pid: proc.pid,
      credentials: { apiKey: printed.apiKey as string, accessToken: printed.accessToken as string },
      counters: () => admin<SandboxCounters>('counters'),
      files: async () => {
        const body = await admin<SandboxFileView[] | { files: SandboxFileView[] }>('files');
        return Array.isArray(body) ? body : body.files;
      },
      async stop() {
        await proc.stop({ graceMs: 2000 });
      },
    };
  } catch (error) {
    await proc.stop({ graceMs: 500 });
    throw error;
  }
}

/**
 * The real API's settings from the environment, or `undefined` when `LIBRARY_BASE_URL` is not set.
 * Throws when the URL is set without both credentials (naming the missing variables, not their values).
 */
export function libraryApiFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): { baseUrl: string; credentials: LibraryCredentials } | undefined {
  const baseUrl = env['LIBRARY_BASE_URL']?.trim();
  if (!baseUrl) return undefined;
  const apiKey = env['LIBRARY_API_KEY']?.trim();
  const accessToken = env['LIBRARY_ACCESS_TOKEN']?.trim();
  const missing = [...(apiKey ? [] : ['LIBRARY_API_KEY']), ...(accessToken ? [] : ['LIBRARY_ACCESS_TOKEN'])];
  if (missing.length > 0) {
    throw new Error(
      `LIBRARY_BASE_URL is set, so local mode talks to that API, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`,
    );
  }
  try {
    new URL(baseUrl);
  } catch {
    throw new Error('LIBRARY_BASE_URL is not a URL (e.g. https://api.constantcontact.com/v2).');
  }
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    credentials: { apiKey: apiKey as string, accessToken: accessToken as string },
  };
}

/**
 * `'sandbox'` forces the sandbox; an object names a real API; otherwise the real API when
 * `LIBRARY_BASE_URL` (+ `LIBRARY_API_KEY`, `LIBRARY_ACCESS_TOKEN`) is set in `env`, else the sandbox.
 */
export type LibraryChoice = 'sandbox' | { baseUrl: string; apiKey: string; accessToken: string } | undefined;

/** The real API `choice` names, or undefined for the sandbox. Throws on incomplete LIBRARY_* settings. */
export function chooseRealApi(
  choice: LibraryChoice,
  env: NodeJS.ProcessEnv,
): { baseUrl: string; credentials: LibraryCredentials } | undefined {
  if (choice === 'sandbox') return undefined;
  if (typeof choice === 'object') {
    return { baseUrl: choice.baseUrl, credentials: { apiKey: choice.apiKey, accessToken: choice.accessToken } };
  }
  return libraryApiFromEnvironment(env);
}

/** The real API when one is given, else a sandbox started for the purpose. */
export async function startLibraryTarget(
  realApi: ReturnType<typeof chooseRealApi>,
  sandboxOptions?: SandboxProcessOptions,
): Promise<LibraryTarget> {
  if (realApi) return { kind: 'api', ...realApi };
  const sandbox = await startSandboxProcess(sandboxOptions);
  return { kind: 'sandbox', baseUrl: sandbox.baseUrl, credentials: sandbox.credentials, sandbox };
}
