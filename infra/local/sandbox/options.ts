/**
 * Every knob of the sandbox, with its default, in one place.
 *
 * Options come in groups that can be changed while the server runs (limits, processing, faults,
 * quirks, credentials) through the programmatic API or the `/__sandbox/` admin endpoints, so a test or a
 * chaos run can, say, revoke a token or raise the error rate mid-run without restarting anything.
 */
import type { FileSource, FileType } from './vendor-facts.ts';

/** A credential pair the sandbox accepts. */
export interface SandboxCredentialPair {
  apiKey: string;
  accessToken: string;
  /**
   * A valid pair whose account lacks the MyLibrary privileges: every request is answered 403 with
   * `http.status.forbidden` (a real permission error, not a throttle).
   */
  forbidden?: boolean;
}

/** The pair accepted when no `credentials` option is given. */
export const DEFAULT_CREDENTIALS: SandboxCredentialPair = {
  apiKey: 'sandbox-api-key',
  accessToken: 'sandbox-access-token',
};

/** The API key's limits and the account's sizes. */
export interface LimitOptions {
  /** Accepted requests per api_key in any sliding one-second window (real API: 4). */
  perSecond: number;
  /** Accepted requests per api_key per UTC calendar day of the sandbox clock (real API: 10,000). */
  perDay: number;
  /** Largest accepted file, in bytes; reported by GET /library/info as max_upload_size_limit. */
  maxUploadSize: number;
  /** Account storage; reported as max_premium_space_limit, uploads beyond it are refused. */
  maxTotalBytes: number;
}

/** The vendor's limits. */
export const DEFAULT_LIMITS: LimitOptions = {
  perSecond: 4,
  perDay: 10_000,
  maxUploadSize: 5_242_880,
  maxTotalBytes: 262_144_000,
};

/** What a processing-time function may look at to decide how long a file takes. */
export interface ProcessingSubject {
  id: string;
  name: string;
  fileType: string;
  size: number;
  sha256: string;
  /** 0 for the first file uploaded since start or reset, 1 for the next… */
  sequence: number;
}

/** A duration: fixed milliseconds, or computed per file (e.g. spread 2-60 s over a benchmark). */
export type DurationSpec = number | ((file: ProcessingSubject) => number);

/** How long a file stays in each non-final status. */
export interface ProcessingOptions {
  /** Time spent in `Processing` (virus scan, type check). VirusFound/Failed are decided at its end. */
  processingMs: DurationSpec;
  /** Time spent in `Uploaded` before `Active`. */
  uploadedMs: DurationSpec;
}

/** Short processing, for tests and local mode. */
export const DEFAULT_PROCESSING: ProcessingOptions = { processingMs: 300, uploadedMs: 300 };

/** The API operations, as counters and fault filters name them ('unknown' = no route matched). */
export const SANDBOX_ENDPOINTS = [
  'uploadFile',
  'getUploadStatus',
  'getFile',
  'updateFile',
  'deleteFile',
  'listFiles',
  'listFolderFiles',
  'listFolders',
  'getFolder',
  'createFolder',
  'getLibraryInfo',
  'listTrash',
  'emptyTrash',
  'unknown',
] as const;
/** An operation faults can be aimed at. */
export type SandboxEndpoint = (typeof SANDBOX_ENDPOINTS)[number];

/** The faults to inject and how often (seeded, so a run can be repeated). */
export interface FaultOptions {
  /** Seed of the fault PRNG. Setting it (even to the same value) restarts the sequence. */
  seed: number;
  /** Share of requests answered 500 or 503 (half each, by the PRNG) without doing anything. */
  serverErrorRate: number;
  /** Delay before every API answer. */
  latencyMs: number;
  /**
   * Upload bodies are read no faster than this (bytes per second; 0, the default: as fast as they
   * come): a client far from the vendor, with `latencyMs` as its round trip (link-pacing.ts).
   */
  uploadBytesPerSecond?: number;
  /** Share of requests never answered: the socket stays open until the client gives up. */
  hangRate: number;
  /** Share of requests whose connection is destroyed before the body is read (nothing happens). */
  resetBeforeBodyRate: number;
  /**
   * Share of requests whose connection is destroyed after the request was fully received and acted
   * on: an upload IS stored, so a client that retries blindly creates a duplicate.
   */
  resetAfterBodyRate: number;
  /** Restrict faults to these operations (default: every API operation). */
  endpoints?: SandboxEndpoint[] | undefined;
}

/** No faults. */
export const DEFAULT_FAULTS: FaultOptions = {
  seed: 1,
  serverErrorRate: 0,
  latencyMs: 0,
  hangRate: 0,
  resetBeforeBodyRate: 0,
  resetAfterBodyRate: 0,
};

/**
 * Behaviours where the vendor's documentation and SDK fixtures disagree. The defaults follow the
 * documentation; flip them to check that a client tolerates the other reading.
 */
export interface QuirkOptions {
  /** Upload status `file_id` as a number (the Java SDK's recorded response) instead of a string. */
  numericStatusFileIds: boolean;
  /** GET /library/info wrapped in a one-element array (one SDK's fixture). */
  infoAsArray: boolean;
  /**
   * When true, folder_id `0` (root) is only accepted while the account has no folders, as a strict
   * reading of the docs; by default `0` always means the root.
   */
  rootOnlyWithoutFolders: boolean;
  /** `parent_id` of top-level folders: the docs show `""`, some answers `"0"`. */
  topLevelParentId: '' | '0';
  /** Allow two folders with the same name under one parent (default: refused with 400). */
  allowDuplicateFolderNames: boolean;
}

/** The vendor's documented behaviour: none of the variations seen in the SDKs' recordings. */
export const DEFAULT_QUIRKS: QuirkOptions = {
  numericStatusFileIds: false,
  infoAsArray: false,
  rootOnlyWithoutFolders: false,
  topLevelParentId: '',
  allowDuplicateFolderNames: false,
};

/** A folder the account starts with. */
export interface InitialFolder {
  /** A string id, negative like the vendor's (e.g. "-1"). */
  id: string;
  name: string;
  /** Parent folder id; absent, "" or "0" for a top-level folder. */
  parentId?: string;
}

/** A file present from the start (already Active, unless its bytes say otherwise). */
export interface InitialFile {
  name: string;
  fileType: FileType;
  data: Buffer;
  folderId?: string;
  description?: string;
  source?: FileSource;
}

/**
 * The default folder tree: a small account shaped like the docs' examples (negative string ids, a
 * second level). Pass `folders: []` for an account without folders (then upload with folder_id 0).
 */
export const DEFAULT_FOLDERS: InitialFolder[] = [
  { id: '-1', name: 'Images' },
  { id: '-2', name: 'Documents' },
  { id: '-3', name: 'market_studies', parentId: '-2' },
];

/** Every setting of a sandbox; each group defaults as above. */
export interface SandboxOptions {
  /** 0 (default) picks a free port. The server always listens on 127.0.0.1. */
  port?: number;
  /** Accepted api_key/token pairs (default: DEFAULT_CREDENTIALS). */
  credentials?: SandboxCredentialPair[];
  limits?: Partial<LimitOptions>;
  processing?: Partial<ProcessingOptions>;
  faults?: Partial<FaultOptions>;
  quirks?: Partial<QuirkOptions>;
  /** Base clock (default Date.now); POST /__sandbox/clock/advance moves it forward. */
  now?: () => number;
  /** Keep uploaded bytes in memory (default true). When false only size, sha256 and a short head are kept. */
  keepBytes?: boolean;
  /** Folder tree at start and after reset (default DEFAULT_FOLDERS). */
  folders?: InitialFolder[];
  /** Files present at start and after reset. */
  files?: InitialFile[];
}

/** The live, mutable settings of a running sandbox. */
export interface SandboxSettings {
  credentials: SandboxCredentialPair[];
  limits: LimitOptions;
  processing: ProcessingOptions;
  faults: FaultOptions;
  quirks: QuirkOptions;
  keepBytes: boolean;
  folders: InitialFolder[];
  files: InitialFile[];
}

/** The options with every default filled in. */
export function resolveSettings(options: SandboxOptions = {}): SandboxSettings {
  return {
    credentials: (options.credentials ?? [DEFAULT_CREDENTIALS]).map((pair) => ({ ...pair })),
    limits: { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) },
    processing: { ...DEFAULT_PROCESSING, ...definedOnly(options.processing ?? {}) },
    faults: { ...DEFAULT_FAULTS, ...definedOnly(options.faults ?? {}) },
    quirks: { ...DEFAULT_QUIRKS, ...definedOnly(options.quirks ?? {}) },
    keepBytes: options.keepBytes ?? true,
    folders: (options.folders ?? DEFAULT_FOLDERS).map((folder) => ({ ...folder })),
    files: options.files ?? [],
  };
}

/** Drops `undefined` values so a partial update never erases a default. */
export function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
