/**
 * Shared factories for the client's contract tests: a sandbox with a frozen clock (rate windows and
 * processing move only when a test advances the clock), a client on it, streams and sample bytes.
 */
import { createHash } from 'node:crypto';
import { startSandbox } from '../../infra/local/sandbox/index.ts';
import type { Sandbox, SandboxOptions } from '../../infra/local/sandbox/index.ts';
import { chunkedStream, everyByteValue } from '../support/streams.ts';
import { createLibraryClient } from '../../shared/library/index.ts';
import type {
  LibraryClient,
  LibraryClientOptions,
  LibraryCredentials,
  RequestReport,
  UploadFileInput,
} from '../../shared/library/index.ts';

/** Noon UTC, so a test crosses no day boundary unless it advances the clock. */
export const FROZEN_TIME = Date.UTC(2026, 2, 10, 12, 0, 0);

/** A sandbox with a frozen clock and limits high enough not to interfere, unless overridden. */
export function startContractSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    now: () => FROZEN_TIME,
    ...options,
    limits: { perSecond: 10_000, perDay: 1_000_000, ...options.limits },
  });
}

export interface ClientHarness {
  client: LibraryClient;
  reports: RequestReport[];
  providerCalls: ({ forceRefresh?: boolean } | undefined)[];
}

/** A client on the sandbox with its credentials; every report and provider call recorded. */
export function clientFor(
  sandbox: Sandbox,
  overrides: Partial<LibraryClientOptions> = {},
  credentials?: (options?: { forceRefresh?: boolean }) => LibraryCredentials,
): ClientHarness {
  const reports: RequestReport[] = [];
  const providerCalls: ({ forceRefresh?: boolean } | undefined)[] = [];
  const client = createLibraryClient({
    baseUrl: sandbox.baseUrl,
    credentials: async (options) => {
      providerCalls.push(options);
      return credentials ? credentials(options) : sandbox.credentials;
    },
    onRequest: (report) => reports.push(report),
    ...overrides,
  });
  return { client, reports, providerCalls };
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A PNG signature and IHDR-sized header followed by `size - 24` filler bytes: the sandbox sees a PNG. */
export function pngLike(size = 1024, fill = 0x5a): Buffer {
  const buffer = Buffer.alloc(Math.max(size, 24), fill);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(buffer, 0);
  buffer.writeUInt32BE(64, 16);
  buffer.writeUInt32BE(48, 20);
  return buffer;
}

export function uploadOf(data: Buffer, overrides: Partial<UploadFileInput> = {}): UploadFileInput {
  return {
    fileName: 'photo.png',
    folderId: '-1',
    description: 'contract test',
    fileType: 'PNG',
    contentType: 'image/png',
    data: chunkedStream(data, 64 * 1024),
    size: data.length,
    ...overrides,
  };
}

/** Settles a promise into its error (or fails the test if it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection');
}

/** Everything an error can print or serialise, cause chain included. */
export function everythingPrinted(error: Error): string {
  const parts: string[] = [String(error), JSON.stringify(error)];
  for (let current: unknown = error; current instanceof Error; current = current.cause)
    parts.push(current.message, String(current.stack));
  return parts.join('\n');
}

export { chunkedStream, everyByteValue };
