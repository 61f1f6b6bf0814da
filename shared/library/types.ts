/**
 * The contract of the Constant Contact v2 MyLibrary client, as the pipeline uses it. Field names are
 * camelCase; the wire format is the client's business. The facts behind each choice: docs/library-api.md.
 */
import type { Readable } from 'node:stream';

/** The statuses `GET /library/files/uploadstatus/{ids}` reports. */
export const UPLOAD_STATUSES = ['Processing', 'Uploaded', 'Active', 'VirusFound', 'Failed', 'Deleted'] as const;
/** One of the upload statuses. */
export type LibraryUploadStatus = (typeof UPLOAD_STATUSES)[number];
/** Statuses after which the library will not change the file on its own. */
export const FINAL_LIBRARY_STATUSES: ReadonlySet<LibraryUploadStatus> = new Set([
  'Active',
  'VirusFound',
  'Failed',
  'Deleted',
]);

/** The `file_type` values the upload endpoint accepts (upper-cased extension). */
export const FILE_TYPES = ['JPEG', 'JPG', 'GIF', 'PNG', 'PDF', 'DOC', 'DOCX', 'XLS', 'XLSX', 'PPT', 'PPTX'] as const;
/** One of the accepted `file_type` values. */
export type LibraryFileType = (typeof FILE_TYPES)[number];

/** The `source` values the upload endpoint accepts; the pipeline sends `MyComputer` like the SDKs. */
export const FILE_SOURCES = ['MyComputer', 'StockImage', 'Facebook', 'Instagram', 'Shutterstock', 'Mobile'] as const;
/** One of the accepted `source` values. */
export type LibraryFileSource = (typeof FILE_SOURCES)[number];

/** API limits the reference pages leave out (docs/library-api.md, "Limits"). */
export const LIBRARY_LIMITS = {
  descriptionMaxLength: 100,
  fileNameMaxLength: 80,
  folderNameMaxLength: 80,
  folderMaxDepth: 3,
  listLimitMax: 1000,
} as const;

/** The API key and access token every request carries. */
export interface LibraryCredentials {
  apiKey: string;
  accessToken: string;
}

/**
 * Supplies credentials for each request. The client calls it with `{ forceRefresh: true }` once after a
 * 401, so a provider backed by Secrets Manager can re-read a rotated secret.
 */
export type CredentialsProvider = (options?: { forceRefresh?: boolean }) => Promise<LibraryCredentials>;

/** Names of the operations, used for rate limiting, metrics and error messages. */
/** What `updateFile` may change (the API's PUT body: `name`, `description`, `folder_id`). */
export interface FileChanges {
  name?: string;
  description?: string;
  folderId?: string;
}

export type LibraryOperation =
  | 'uploadFile'
  | 'getUploadStatus'
  | 'getFile'
  | 'listFiles'
  | 'listFolderFiles'
  | 'listFolders'
  | 'createFolder'
  | 'getLibraryInfo'
  | 'deleteFile'
  | 'updateFile';

/** Awaited before every HTTP request; the pipeline passes a limiter shared by all functions. */
export type BeforeRequestHook = (operation: LibraryOperation) => Promise<void>;

/** Told after every HTTP exchange (for metrics); never sees credentials or unredacted URLs. */
export interface RequestReport {
  operation: LibraryOperation;
  method: string;
  /** Redacted URL: the api_key replaced by `***`. */
  url: string;
  status?: number;
  durationMs: number;
  error?: string;
}

/** How `createLibraryClient` is configured. */
export interface LibraryClientOptions {
  /** e.g. `https://api.constantcontact.com/v2` or a sandbox's `http://127.0.0.1:PORT/v2`. */
  baseUrl: string;
  credentials: CredentialsProvider;
  beforeRequest?: BeforeRequestHook;
  onRequest?: (report: RequestReport) => void;
  timeouts?: {
    connectMs?: number;
    headersMs?: number;
    bodyMs?: number;
  };
  /** How many ids go into one upload-status URL (default 50). */
  statusChunkSize?: number;
  /** Keep-alive pool size (default 8). */
  connections?: number;
  /**
   * Extra attempts for a read (GET) that failed fast: a 5xx answer or a connection refused or reset
   * (default 2; 0 turns it off). Reads are idempotent, so retrying in place is safe and saves the
   * caller a whole queue round trip; a time-out is not retried (it already spent its wait), and an
   * upload or any other write is never replayed.
   */
  readRetries?: number;
  /** Sleep between read retries (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

/** One file to upload, its bytes streamed. */
export interface UploadFileInput {
  /** Sent as `file_name` and as the multipart filename of `data`. At most 80 characters. */
  fileName: string;
  /** `0` for the root when the account has no folders. */
  folderId: string;
  /** At most 100 characters. */
  description: string;
  fileType: LibraryFileType;
  /** Default `MyComputer`. */
  source?: LibraryFileSource;
  /** The real MIME type, e.g. `image/png`. */
  contentType: string;
  /** Streamed, never buffered whole: e.g. an S3 GetObject body. */
  data: Readable;
  /** Exact byte length of `data` (the multipart body is sent with a Content-Length). */
  size: number;
}

/** What a 202 upload answer names. */
export interface UploadFileResult {
  fileId: string;
  /** The Location header as received (it carries no credentials). */
  location: string;
}

/** One entry of the upload-status answer. */
export interface UploadStatus {
  fileId: string;
  /** One of UPLOAD_STATUSES, or whatever new value the API invents (kept as is). */
  status: LibraryUploadStatus | (string & {});
  description: string;
}

/** A file's thumbnail. */
export interface LibraryThumbnail {
  url: string;
  width?: number;
  height?: number;
}

/** A library file record. */
export interface LibraryFile {
  id: string;
  name: string;
  description?: string;
  folder?: string;
  folderId?: string;
  width?: number;
  height?: number;
  size?: number;
  url?: string;
  source?: string;
  status?: string;
  thumbnail?: LibraryThumbnail;
  createdDate?: string;
  modifiedDate?: string;
  isImage?: boolean;
  fileType?: string;
}

/** A folder with its sub-folders. */
export interface LibraryFolder {
  id: string;
  name: string;
  level?: number;
  /** `undefined` for a top-level folder (the API sends `""` or `"0"`). */
  parentId?: string;
  itemCount?: number;
  children: LibraryFolder[];
  createdDate?: string;
  modifiedDate?: string;
}

/** The account's limits and usage (`GET /library/info`). */
export interface LibraryInfo {
  maxUploadSizeLimit: number;
  maxPremiumSpaceLimit?: number;
  maxFreeFileNum?: number;
  imageRoot?: string;
  usageSummary?: {
    folderCount?: number;
    fileCount?: number;
    imageCount?: number;
    documentCount?: number;
    totalBytesUsed?: number;
    totalBytesRemaining?: number;
    freeFilesRemaining?: number;
  };
}

/** The `sort_by` values of the file lists. */
export type FileSortOrder =
  | 'CREATED_DATE'
  | 'CREATED_DATE_DESC'
  | 'MODIFIED_DATE'
  | 'MODIFIED_DATE_DESC'
  | 'NAME'
  | 'NAME_DESC'
  | 'SIZE'
  | 'SIZE_DESC'
  | 'DIMENSION'
  | 'DIMENSION_DESC';

/** Filters and paging of the file lists. */
export interface ListFilesOptions {
  /** 1-1000, default 50. */
  limit?: number;
  sortBy?: FileSortOrder;
  type?: 'ALL' | 'IMAGES' | 'DOCUMENTS';
  source?: 'ALL' | LibraryFileSource;
  /** A `next_link` from a previous page (the client puts the api_key back). */
  next?: string;
}

/** One page of a list. */
export interface Page<T> {
  results: T[];
  /** The raw `meta.pagination.next_link`, absent on the last page. */
  nextLink?: string;
}

/** The MyLibrary operations the pipeline uses. */
export interface LibraryClient {
  /**
   * Multipart POST /library/files. Resolves on 202 + Location; anything else rejects with a LibraryError.
   *
   * `data` is consumed once and destroyed on any failure. A 401 is therefore not replayed: the client
   * refreshes the credentials (`forceRefresh`) and rejects with LibraryUnauthorizedError, and the caller
   * retries with a fresh stream (e.g. a new S3 GetObject). A stream that fails or delivers fewer or more
   * bytes than `size` rejects with LibrarySourceError (the API cannot have stored a partial body).
   */
  uploadFile(input: UploadFileInput): Promise<UploadFileResult>;
  /**
   * GET /library/files/uploadstatus/{ids}, chunked. Ids the API does not know are simply absent from the
   * result. An empty input resolves to [] without a request.
   */
  getUploadStatus(fileIds: readonly string[]): Promise<UploadStatus[]>;
  getFile(fileId: string): Promise<LibraryFile>;
  listFiles(options?: ListFilesOptions): Promise<Page<LibraryFile>>;
  listFolderFiles(folderId: string, options?: ListFilesOptions): Promise<Page<LibraryFile>>;
  /** Every page of GET /library/files (or a folder's files), lazily. */
  iterateFiles(options?: ListFilesOptions & { folderId?: string }): AsyncIterable<LibraryFile>;
  /** The whole folder tree (all pages), children nested. */
  listFolders(): Promise<LibraryFolder[]>;
  createFolder(name: string, parentId?: string): Promise<LibraryFolder>;
  getLibraryInfo(): Promise<LibraryInfo>;
  /** Moves the file to Trash. */
  deleteFile(fileId: string): Promise<void>;
  /**
   * Moves several files to the Trash: one DELETE per chunk of comma-separated ids (the API takes "one or
   * more files"). An empty input resolves without a request.
   */
  deleteFiles(fileIds: readonly string[]): Promise<void>;
  /** PUT /library/files/{id}: renames and/or moves the file; its id and hosted URL stay. */
  updateFile(fileId: string, changes: FileChanges): Promise<LibraryFile>;
  /** Closes the keep-alive pool. */
  close(): Promise<void>;
}
