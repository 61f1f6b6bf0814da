/**
 * Finds (or creates) the library folder a key's path mirrors into.
 *
 * The folder tree is listed once and cached (per cold start, refreshed after `ttlMs`), so a batch of
 * files going to known folders costs no folder requests. A missing folder is created level by level.
 * Creation is race-safe: when two functions create the same folder at once, the loser's POST is
 * refused (duplicate name) or its own cache is stale; either way it re-lists the tree and takes the
 * folder that now exists. Within one process, concurrent creations of the same path share one request.
 * Names are matched case-insensitively, as the library refuses two siblings that differ only in case.
 */
import { LibraryValidationError } from '../library/errors.ts';
import type { LibraryClient, LibraryFolder } from '../library/types.ts';

/** How long the listed folder tree is trusted before it is listed again. */
export const DEFAULT_FOLDER_TREE_TTL_MS = 5 * 60_000;

type FolderIndex = Map<string, string>;

const childKey = (parentId: string | undefined, name: string): string => `${parentId ?? ''}\u0000${name.toLowerCase()}`;

/** Maps a mirrored key path to a library folder id, creating missing levels (race-safe). */
export class FolderResolver {
  private index: { folders: FolderIndex; at: number } | undefined;
  private listing: Promise<FolderIndex> | undefined;
  private readonly creating = new Map<string, Promise<string>>();

  constructor(
    private readonly library: Pick<LibraryClient, 'listFolders' | 'createFolder'>,
    private readonly ttlMs: number = DEFAULT_FOLDER_TREE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The id of the folder at `path` (one name per level), created when missing. */
  async resolve(path: readonly string[]): Promise<string> {
    let parentId: string | undefined;
    for (const name of path) parentId = await this.child(parentId, name);
    if (parentId === undefined) throw new Error('An empty folder path has no folder id');
    return parentId;
  }

  /** Forgets the cached tree (e.g. after the library refused a cached folder id). */
  invalidate(): void {
    this.index = undefined;
  }

  private async child(parentId: string | undefined, name: string): Promise<string> {
    const key = childKey(parentId, name);
    const known = (await this.folders()).get(key);
    if (known !== undefined) return known;
    let pending = this.creating.get(key);
    if (pending === undefined) {
      pending = this.create(parentId, name).finally(() => this.creating.delete(key));
      this.creating.set(key, pending);
    }
    return pending;
  }

  private async create(parentId: string | undefined, name: string): Promise<string> {
    const key = childKey(parentId, name);
    try {
      const folder = await this.library.createFolder(name, parentId);
      (await this.folders()).set(key, folder.id);
      return folder.id;
    } catch (error) {
      if (!(error instanceof LibraryValidationError)) throw error;
      // Probably created by someone else since we listed: look again before giving up.
      const existing = (await this.folders(true)).get(key);
      if (existing !== undefined) return existing;
      throw error;
    }
  }

  private async folders(refresh = false): Promise<FolderIndex> {
    if (!refresh && this.index !== undefined && this.now() - this.index.at < this.ttlMs) return this.index.folders;
    this.listing ??= this.library
      .listFolders()
      .then((tree) => {
        const folders = indexTree(tree);
        this.index = { folders, at: this.now() };
        return folders;
      })
      .finally(() => {
        this.listing = undefined;
      });
    return this.listing;
  }
}

function indexTree(tree: readonly LibraryFolder[]): FolderIndex {
  const index: FolderIndex = new Map();
  const visit = (folder: LibraryFolder, parentId: string | undefined): void => {
    index.set(childKey(parentId, folder.name), folder.id);
    for (const child of folder.children) visit(child, folder.id);
  };
  for (const folder of tree) visit(folder, undefined);
  return index;
}
