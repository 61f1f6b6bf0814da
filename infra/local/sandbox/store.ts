/**
 * The account's files, as the library holds them, plus the bookkeeping tests care about: duplicates by
 * name and size (what a blind retry after a lost response produces) and the storage in use.
 *
 * File ids are decimal strings that keep increasing across resets, so an id recorded before a reset
 * never names a different file after it.
 */
import type { UploadStatus } from './vendor-facts.ts';
import { IMAGE_TYPES } from './content-inspection.ts';
import { FolderTree } from './folder-tree.ts';
import { statusAt, type ProcessingSchedule } from './processing.ts';

/** A file as the sandbox keeps it. */
export interface StoredFile {
  id: string;
  name: string;
  description: string;
  /** undefined for the root (uploaded with folder_id 0). */
  folderId: string | undefined;
  source: string;
  fileType: string;
  /** Content-Type of the multipart `data` part, as sent. */
  contentType: string;
  size: number;
  sha256: string;
  /** The bytes, when the sandbox keeps them. */
  bytes: Buffer | undefined;
  width: number;
  height: number;
  isImage: boolean;
  createdAt: number;
  /** Last change through PUT or DELETE (status changes are reported separately). */
  modifiedAt: number;
  /**
   * The name in the hosted URL: the name at upload. The vendor's URLs are built from the file id
   * (`…/img/4.jpg`), so a rename or move with PUT never changes the URL a consumer holds.
   */
  hostedName?: string;
  /** Position in upload order since the last reset. */
  sequence: number;
  schedule: ProcessingSchedule;
}

/** What a test sees of a stored file (GET /__sandbox/files). */
export interface SandboxFileView {
  id: string;
  name: string;
  description: string;
  folderId: string | undefined;
  source: string;
  fileType: string;
  contentType: string;
  size: number;
  sha256: string;
  status: UploadStatus;
  verdict: ProcessingSchedule['verdict'];
  width: number;
  height: number;
  isImage: boolean;
  createdAt: string;
  hasBytes: boolean;
}

/** What an upload adds; the store assigns the rest. */
export type NewFile = Omit<StoredFile, 'id' | 'sequence' | 'isImage'>;

/** The account usage `GET /library/info` reports. */
export interface UsageSummary {
  folder_count: number;
  file_count: number;
  image_count: number;
  document_count: number;
  total_bytes_used: number;
}

/** The account's files, with their statuses over time and the Trash. */
export class LibraryStore {
  readonly folders = new FolderTree();
  private readonly files = new Map<string, StoredFile>();
  private nextFileId = 1;
  private sequence = 0;
  private duplicateUploads = 0;

  /** Forgets every file and restores the folder tree. */
  reset(initialFolders: Parameters<FolderTree['reset']>[0], now: number): void {
    this.files.clear();
    this.sequence = 0;
    this.duplicateUploads = 0;
    this.folders.reset(initialFolders, now);
  }

  /** Stores an accepted upload and returns it with its new id. */
  add(file: NewFile): StoredFile {
    const isDuplicate = [...this.files.values()].some((other) => other.name === file.name && other.size === file.size);
    if (isDuplicate) this.duplicateUploads += 1;
    const stored: StoredFile = {
      ...file,
      hostedName: file.name,
      id: String(this.nextFileId++),
      sequence: this.sequence++,
      isImage: IMAGE_TYPES.has(file.fileType),
    };
    this.files.set(stored.id, stored);
    return stored;
  }

  /** The id the next upload will get (processing-time functions see it). */
  peekNextId(): string {
    return String(this.nextFileId);
  }

  peekNextSequence(): number {
    return this.sequence;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  all(): StoredFile[] {
    return [...this.files.values()];
  }

  /** Permanently removes a file (emptying the Trash). */
  remove(id: string): boolean {
    return this.files.delete(id);
  }

  /** Uploads whose name and size matched a file already stored at the time. */
  get duplicateCount(): number {
    return this.duplicateUploads;
  }

  /** Groups of files sharing a name and size, for the counters. */
  duplicateGroups(): { name: string; size: number; ids: string[] }[] {
    const groups = new Map<string, { name: string; size: number; ids: string[] }>();
    for (const file of this.files.values()) {
      const key = `${file.size}:${file.name}`;
      const group = groups.get(key) ?? { name: file.name, size: file.size, ids: [] };
      group.ids.push(file.id);
      groups.set(key, group);
    }
    return [...groups.values()].filter((group) => group.ids.length > 1);
  }

  /** Files that occupy storage at `now`: not failed, not infected, not in the Trash. */
  liveFiles(now: number): StoredFile[] {
    return this.all().filter((file) => {
      const status = statusAt(file.schedule, now);
      return status !== 'VirusFound' && status !== 'Failed' && status !== 'Deleted';
    });
  }

  usage(now: number): UsageSummary {
    const live = this.liveFiles(now);
    const images = live.filter((file) => file.isImage).length;
    return {
      folder_count: this.folders.size,
      file_count: live.length,
      image_count: images,
      document_count: live.length - images,
      total_bytes_used: live.reduce((sum, file) => sum + file.size, 0),
    };
  }

  /** Number of files in each status at `now`. */
  countByStatus(now: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const file of this.files.values()) {
      const status = statusAt(file.schedule, now);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  }

  view(file: StoredFile, now: number): SandboxFileView {
    return {
      id: file.id,
      name: file.name,
      description: file.description,
      folderId: file.folderId,
      source: file.source,
      fileType: file.fileType,
      contentType: file.contentType,
      size: file.size,
      sha256: file.sha256,
      status: statusAt(file.schedule, now),
      verdict: file.schedule.verdict,
      width: file.width,
      height: file.height,
      isImage: file.isImage,
      createdAt: new Date(file.createdAt).toISOString(),
      hasBytes: file.bytes !== undefined,
    };
  }
}
