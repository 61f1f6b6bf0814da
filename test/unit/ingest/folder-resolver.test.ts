import { describe, expect, it } from 'vitest';
import { FolderResolver } from '../../../shared/ingest/folder-resolver.ts';
import { LibraryValidationError } from '../../../shared/library/errors.ts';
import type { LibraryFolder } from '../../../shared/library/types.ts';

/** A fake library holding a folder tree, counting calls. */
function fakeLibrary(initial: LibraryFolder[] = []) {
  const tree = structuredClone(initial);
  let nextId = -100;
  const calls = { listFolders: 0, createFolder: 0 };
  const find = (nodes: LibraryFolder[], id: string): LibraryFolder | undefined => {
    for (const node of nodes) {
      if (node.id === id) return node;
      const hit = find(node.children, id);
      if (hit) return hit;
    }
    return undefined;
  };
  return {
    calls,
    tree,
    /** Adds a folder behind the resolver's back (another function created it). */
    addElsewhere(name: string, parentId?: string): string {
      const folder: LibraryFolder = { id: String(nextId--), name, children: [], ...(parentId ? { parentId } : {}) };
      (parentId ? find(tree, parentId)!.children : tree).push(folder);
      return folder.id;
    },
    async listFolders() {
      calls.listFolders += 1;
      return structuredClone(tree);
    },
    async createFolder(name: string, parentId?: string) {
      calls.createFolder += 1;
      const siblings = parentId ? find(tree, parentId)!.children : tree;
      if (siblings.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
        throw new LibraryValidationError('duplicate', {
          operation: 'createFolder',
          status: 400,
          apiErrors: [{ errorKey: 'folder.name.duplicate', errorMessage: 'exists' }],
        });
      }
      const folder: LibraryFolder = { id: String(nextId--), name, children: [], ...(parentId ? { parentId } : {}) };
      siblings.push(folder);
      return folder;
    },
  };
}

describe('FolderResolver', () => {
  it('finds existing folders case-insensitively with one listing', async () => {
    // Prepare
    const library = fakeLibrary([
      { id: '-1', name: 'Events', children: [{ id: '-2', name: '2026', children: [], parentId: '-1' }] },
    ]);
    const resolver = new FolderResolver(library);
    // Act
    const ids = [await resolver.resolve(['events', '2026']), await resolver.resolve(['Events'])];
    // Assess
    expect(ids).toEqual(['-2', '-1']);
    expect(library.calls).toEqual({ listFolders: 1, createFolder: 0 });
  });

  it('creates missing levels once, even for concurrent files', async () => {
    // Prepare
    const library = fakeLibrary();
    const resolver = new FolderResolver(library);
    // Act
    const ids = await Promise.all([
      resolver.resolve(['A', 'B']),
      resolver.resolve(['A', 'B']),
      resolver.resolve(['A']),
    ]);
    // Assess
    expect(new Set(ids.slice(0, 2)).size).toBe(1);
    expect(library.calls.createFolder).toBe(2);
    expect(library.tree[0]?.children[0]?.name).toBe('B');
  });

  it('takes the folder another function created meanwhile (duplicate refused → re-list)', async () => {
    // Prepare
    const library = fakeLibrary();
    const resolver = new FolderResolver(library);
    await resolver.resolve(['Warmup']); // the tree is now cached without "Race"
    const otherId = library.addElsewhere('Race');
    // Act
    const id = await resolver.resolve(['Race']);
    // Assess
    expect(id).toBe(otherId);
    expect(library.calls).toEqual({ listFolders: 2, createFolder: 2 });
  });

  it('lists again after the cache TTL', async () => {
    // Prepare
    let now = 0;
    const library = fakeLibrary([{ id: '-1', name: 'X', children: [] }]);
    const resolver = new FolderResolver(library, 1000, () => now);
    // Act
    await resolver.resolve(['X']);
    now = 2000;
    await resolver.resolve(['X']);
    // Assess
    expect(library.calls.listFolders).toBe(2);
  });
});
