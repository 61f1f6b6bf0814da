/**
 * The wire shapes of files and folders, snake_case as the vendor sends them (the vendor's file-list
 * reference and docs/library-api.md).
 *
 * Dates carry an explicit offset like the vendor's (`2013-09-26T10:52:46.000-04:00`), not `Z`, so a
 * client that compares date strings instead of parsing them is caught.
 */
import { statusAt, lastTransitionAt } from './processing.ts';
import { thumbnailSize } from './content-inspection.ts';
import type { StoredFolder } from './folder-tree.ts';
import type { SandboxState } from './state.ts';
import type { StoredFile } from './store.ts';

/** The offset the vendor's examples use (US Eastern, daylight time). */
const VENDOR_OFFSET_MINUTES = -240;

/** A time as the vendor writes it: ISO 8601 with the US Eastern offset of the vendor's examples. */
export function vendorDate(ms: number): string {
  const shifted = new Date(ms + VENDOR_OFFSET_MINUTES * 60_000).toISOString().slice(0, -1);
  const sign = VENDOR_OFFSET_MINUTES < 0 ? '-' : '+';
  const absolute = Math.abs(VENDOR_OFFSET_MINUTES);
  return `${shifted}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/** Where the sandbox "hosts" a file (GET serves the bytes when kept). */
export function hostedUrl(origin: string, file: Pick<StoredFile, 'id' | 'name' | 'hostedName'>): string {
  return `${origin}/sandbox-files/${file.id}/${encodeURIComponent(file.hostedName ?? file.name)}`;
}

/** A file on the wire. */
export interface FileRecord {
  name: string;
  id: string;
  description: string;
  folder: string | null;
  folder_id: string | null;
  height: number;
  width: number;
  size: number;
  url: string;
  source: string;
  status: string;
  thumbnail: { url: string; height: number; width: number };
  created_date: string;
  modified_date: string;
  is_image: boolean;
  file_type: string;
}

/** A stored file as the API returns it. */
export function fileRecord(state: SandboxState, file: StoredFile): FileRecord {
  const now = state.clock.now();
  const url = hostedUrl(state.origin, file);
  const thumbnail = file.isImage
    ? { url, ...thumbnailSize({ width: file.width, height: file.height }) }
    : { url: `${state.origin}/sandbox-files/icons/document.png`, height: 200, width: 178 };
  const modifiedAt = Math.max(file.modifiedAt, lastTransitionAt(file.schedule, now));
  return {
    name: file.name,
    id: file.id,
    description: file.description,
    folder: file.folderId === undefined ? null : (state.store.folders.get(file.folderId)?.name ?? null),
    folder_id: file.folderId ?? null,
    height: file.height,
    width: file.width,
    size: file.size,
    url,
    source: file.source,
    status: statusAt(file.schedule, now),
    thumbnail,
    created_date: vendorDate(file.createdAt),
    modified_date: vendorDate(modifiedAt),
    is_image: file.isImage,
    file_type: file.fileType,
  };
}

/** A folder on the wire. */
export interface FolderRecord {
  id: string;
  name: string;
  level: number;
  children: FolderRecord[];
  item_count: number;
  parent_id: string;
  modified_date: string;
  created_date: string;
}

/** A folder with its children nested, and item_count = files in it that are not in the Trash. */
export function folderRecord(state: SandboxState, folder: StoredFolder): FolderRecord {
  const now = state.clock.now();
  const itemCount = state.store
    .all()
    .filter((file) => file.folderId === folder.id && statusAt(file.schedule, now) !== 'Deleted').length;
  return {
    id: folder.id,
    name: folder.name,
    level: folder.level,
    children: state.store.folders.childrenOf(folder.id).map((child) => folderRecord(state, child)),
    item_count: itemCount,
    parent_id: folder.parentId ?? state.settings.quirks.topLevelParentId,
    modified_date: vendorDate(folder.modifiedAt),
    created_date: vendorDate(folder.createdAt),
  };
}
