/** `LibraryClientOptions` checked and completed with the defaults, once, when a client is created. */
import { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS } from './http.ts';
import type { TransportTimeouts } from './http.ts';
import { parseBaseUrl } from './pagination.ts';
import type { BaseLocation } from './pagination.ts';
import { DEFAULT_STATUS_CHUNK_SIZE } from './status-ids.ts';
import type { LibraryClientOptions } from './types.ts';

/** Extra attempts for a read that failed fast (5xx, connection refused or reset). */
export const DEFAULT_READ_RETRIES = 2;

/** The options a client runs with: every default applied, every value checked. */
export interface ResolvedClientOptions {
  base: BaseLocation;
  statusChunkSize: number;
  timeouts: TransportTimeouts;
  connections: number;
  readRetries: number;
  sleep: (ms: number) => Promise<void>;
}

/** Throws a TypeError naming the first unusable option. */
export function resolveClientOptions(options: LibraryClientOptions): ResolvedClientOptions {
  if (typeof options?.credentials !== 'function')
    throw new TypeError('LibraryClientOptions.credentials must be a provider function');
  return {
    base: parseBaseUrl(options.baseUrl),
    statusChunkSize: positiveInteger(options.statusChunkSize, DEFAULT_STATUS_CHUNK_SIZE, 'statusChunkSize'),
    timeouts: resolveTimeouts(options.timeouts),
    connections: positiveInteger(options.connections, DEFAULT_CONNECTIONS, 'connections'),
    readRetries:
      options.readRetries === undefined ? DEFAULT_READ_RETRIES : nonNegativeInteger(options.readRetries, 'readRetries'),
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
}

function resolveTimeouts(timeouts: LibraryClientOptions['timeouts']): TransportTimeouts {
  const resolved = { ...DEFAULT_TIMEOUTS };
  for (const key of ['connectMs', 'headersMs', 'bodyMs'] as const) {
    const value = timeouts?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`LibraryClientOptions.timeouts.${key} must be a positive number of milliseconds`);
    resolved[key] = value;
  }
  return resolved;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`LibraryClientOptions.${name} must be a positive integer`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`LibraryClientOptions.${name} must be a non-negative integer`);
  return value;
}
