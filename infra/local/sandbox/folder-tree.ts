/**
 * The account's folders: at most three levels, string ids that may be negative (like the vendor's),
 * names up to 80 characters.
 *
 * The root is not a folder: files uploaded with folder_id `0` live outside every folder (their record
 * says `folder_id: null`), as in the docs' examples. Folder ids handed out by POST /library/folders are
 * negative and keep decreasing across resets, so a stale id from an earlier run never points at a new
 * folder.
 */
import { LIMITS } from './vendor-facts.ts';
import { ERROR_KEYS, apiError, type ApiErrorBody } from './error-bodies.ts';
import type { InitialFolder } from './options.ts';

/** A folder as the sandbox keeps it. */
export interface StoredFolder {
  id: string;
  name: string;
  /** undefined for a top-level folder. */
  parentId: string | undefined;
  /** 1 for top level, 2 for a child, 3 for a grandchild. */
  level: number;
  createdAt: number;
  modifiedAt: number;
}

/** The folder_id values that mean "no folder" (the root). */
export const ROOT_FOLDER_IDS: ReadonlySet<string> = new Set(['0']);

/** Parent ids that mean "top level" in POST /library/folders. */
const TOP_LEVEL_PARENT_IDS: ReadonlySet<string> = new Set(['', '0']);

/** A created folder, or the vendor's refusal. */
export type CreateFolderOutcome =
  { ok: true; folder: StoredFolder } | { ok: false; status: number; errors: ApiErrorBody[] };

/** The account's folders, nested at most as deep as the vendor allows. */
export class FolderTree {
  private readonly folders = new Map<string, StoredFolder>();
  private nextId = -1;

  /** Replaces every folder with `initial` (at `now`); ids handed out later stay below all of them. */
  reset(initial: readonly InitialFolder[], now: number): void {
    this.folders.clear();
    for (const folder of initial) {
      const parentId =
        folder.parentId === undefined || TOP_LEVEL_PARENT_IDS.has(folder.parentId) ? undefined : folder.parentId;
      const parent = parentId === undefined ? undefined : this.folders.get(parentId);
      if (parentId !== undefined && parent === undefined) {
        throw new Error(`initial folder ${folder.id} names parent ${parentId}, which must come before it`);
      }
      const level = parent === undefined ? 1 : parent.level + 1;
      if (level > LIMITS.folderMaxDepth) throw new Error(`initial folder ${folder.id} is nested too deep`);
      this.folders.set(folder.id, {
        id: folder.id,
        name: folder.name,
        parentId,
        level,
        createdAt: now,
        modifiedAt: now,
      });
      const numeric = Number(folder.id);
      if (Number.isInteger(numeric) && numeric <= this.nextId) this.nextId = numeric - 1;
    }
  }

  get size(): number {
    return this.folders.size;
  }

  get(id: string): StoredFolder | undefined {
    return this.folders.get(id);
  }

  /** All folders, in creation order. */
  all(): StoredFolder[] {
    return [...this.folders.values()];
  }

  childrenOf(parentId: string | undefined): StoredFolder[] {
    return this.all().filter((folder) => folder.parentId === parentId);
  }

  /** Validates and creates a folder, as POST /library/folders does. */
  create(name: unknown, parentIdInput: unknown, now: number, allowDuplicateNames: boolean): CreateFolderOutcome {
    const fail = (
      key: (typeof ERROR_KEYS)[keyof typeof ERROR_KEYS],
      message: string,
      status = 400,
    ): CreateFolderOutcome => ({
      ok: false,
      status,
      errors: [apiError(key, message)],
    });
    if (name === undefined || name === null || name === '') return fail(ERROR_KEYS.fieldRequired, 'name is required.');
    if (typeof name !== 'string' || name.trim() === '')
      return fail(ERROR_KEYS.fieldInvalid, 'name must be a non-empty string.');
    if (name.length > LIMITS.folderNameMaxLength) {
      return fail(ERROR_KEYS.maxLength, `name exceeds the maximum length of ${LIMITS.folderNameMaxLength}.`);
    }
    let parentId: string | undefined;
    if (parentIdInput !== undefined && parentIdInput !== null) {
      if (typeof parentIdInput !== 'string' && typeof parentIdInput !== 'number')
        return fail(ERROR_KEYS.fieldInvalid, 'parent_id must be a string.');
      const text = String(parentIdInput);
      parentId = TOP_LEVEL_PARENT_IDS.has(text) ? undefined : text;
    }
    const parent = parentId === undefined ? undefined : this.folders.get(parentId);
    if (parentId !== undefined && parent === undefined)
      return fail(ERROR_KEYS.fieldInvalid, `parent_id ${parentId} does not match any folder.`);
    const level = parent === undefined ? 1 : parent.level + 1;
    if (level > LIMITS.folderMaxDepth) {
      return fail(
        ERROR_KEYS.folderDepthExceeded,
        `Folders can be nested at most ${LIMITS.folderMaxDepth} levels deep.`,
      );
    }
    const lowered = name.toLowerCase();
    if (!allowDuplicateNames && this.childrenOf(parentId).some((sibling) => sibling.name.toLowerCase() === lowered)) {
      return fail(ERROR_KEYS.folderNameDuplicate, `A folder named ${name} already exists there.`);
    }
    const folder: StoredFolder = { id: String(this.nextId--), name, parentId, level, createdAt: now, modifiedAt: now };
    this.folders.set(folder.id, folder);
    return { ok: true, folder };
  }
}
