import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildFolderTree,
  nextLinkOf,
  toLibraryFile,
  toLibraryInfo,
  toUploadStatuses,
  wireFilePageSchema,
  wireFileSchema,
  wireFolderPageSchema,
  wireInfoSchema,
  wireUploadStatusListSchema,
} from '../../../shared/library/wire-schemas.ts';
import type { WireFolder } from '../../../shared/library/wire-schemas.ts';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

describe('upload status parsing', () => {
  it('reads the vendor example into camelCase statuses, in order', () => {
    // Prepare
    const wire = wireUploadStatusListSchema.parse(fixture('vendor-upload-status.json'));
    // Act
    const statuses = toUploadStatuses(wire, ['9', '8', '18']);
    // Assess
    expect(statuses).toEqual([
      { fileId: '9', status: 'Active', description: 'Active' },
      { fileId: '8', status: 'Uploaded', description: 'Uploaded' },
      { fileId: '18', status: 'Processing', description: 'Processing' },
    ]);
  });

  it('accepts file_id as a number (the Java SDK recording) and turns it into a string', () => {
    // Prepare
    const wire = wireUploadStatusListSchema.parse(fixture('api-notes-upload-status-numeric.json'));
    // Act
    const statuses = toUploadStatuses(wire, ['64', '65']);
    // Assess
    expect(statuses.map((s) => s.fileId)).toEqual(['64', '65']);
  });

  it('treats an empty array and null as "no known ids"', () => {
    expect(toUploadStatuses(wireUploadStatusListSchema.parse([]), ['1'])).toEqual([]);
    expect(toUploadStatuses(wireUploadStatusListSchema.parse(null), ['1'])).toEqual([]);
  });

  it('keeps a status it does not know and defaults a missing description to the status', () => {
    // Act
    const statuses = toUploadStatuses(wireUploadStatusListSchema.parse([{ file_id: '3', status: 'Quarantined' }]), [
      '3',
    ]);
    // Assess
    expect(statuses).toEqual([{ fileId: '3', status: 'Quarantined', description: 'Quarantined' }]);
  });

  it('attributes an entry without file_id only when a single id was asked', () => {
    // Prepare
    const wire = wireUploadStatusListSchema.parse([{ status: 'Active', description: 'Active' }]);
    // Act / Assess
    expect(toUploadStatuses(wire, ['42'])).toEqual([{ fileId: '42', status: 'Active', description: 'Active' }]);
    expect(toUploadStatuses(wire, ['42', '43'])).toEqual([]);
  });

  it('refuses an entry without a status', () => {
    expect(wireUploadStatusListSchema.safeParse([{ file_id: '1' }]).success).toBe(false);
  });
});

describe('file parsing', () => {
  it('reads the vendor single-file example with every documented field', () => {
    // Act
    const file = toLibraryFile(wireFileSchema.parse(fixture('vendor-file.json')));
    // Assess
    expect(file).toEqual({
      id: '4',
      name: 'IMG_0261.JPG',
      description: 'chocolates',
      folder: 'wildflowers',
      folderId: '-14',
      width: 800,
      height: 600,
      size: 68825,
      url: 'https://origin.ih.l1.constantcontact.com/fs115/1100310339939/img/4.jpg',
      source: 'MyComputer',
      status: 'Active',
      thumbnail: {
        url: 'https://origin.ih.l1.constantcontact.com/fs115/1100310339939/img/4.jpg',
        width: 200,
        height: 150,
      },
      createdDate: '2013-06-19T11:36:43.000-04:00',
      modifiedDate: '2013-09-24T13:55:35.000-04:00',
      isImage: true,
      fileType: 'JPG',
    });
  });

  it('reads the vendor collection example, where folder_id is sometimes null, as the last page', () => {
    // Act
    const page = wireFilePageSchema.parse(fixture('vendor-files-collection.json'));
    const files = (page.results ?? []).map(toLibraryFile);
    // Assess
    expect(files).toHaveLength(9);
    expect(files.map((f) => f.id)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(files[0]?.folderId).toBe('-1');
    expect(files[2]?.folderId).toBeUndefined();
    expect(nextLinkOf(page.meta)).toBeUndefined();
  });

  it('reads the trash example, which says "type" instead of "file_type"', () => {
    // Act
    const page = wireFilePageSchema.parse(fixture('vendor-trash-files.json'));
    const files = (page.results ?? []).map(toLibraryFile);
    // Assess
    expect(files.map((f) => [f.id, f.fileType, f.status])).toEqual([
      ['9', 'PDF', 'Deleted'],
      ['7', 'JPG', 'Deleted'],
      ['6', 'JPG', 'Deleted'],
      ['5', 'JPG', 'Deleted'],
      ['4', 'JPG', 'Deleted'],
    ]);
    expect(files[0]?.isImage).toBe(false);
  });

  it('accepts numeric ids, numeric strings for sizes and nulls for optional fields', () => {
    // Act
    const file = toLibraryFile(
      wireFileSchema.parse({ id: 17, name: 'a.png', size: '2048', thumbnail: null, description: null, folder_id: 0 }),
    );
    // Assess
    expect(file).toEqual({ id: '17', name: 'a.png', size: 2048, folderId: '0' });
  });

  it('refuses a file without an id', () => {
    expect(wireFileSchema.safeParse({ name: 'x.png' }).success).toBe(false);
  });

  it('reads next_link from meta.pagination and ignores an empty pagination object', () => {
    expect(nextLinkOf({ pagination: { next_link: '/v2/library/files?next=abc' } })).toBe('/v2/library/files?next=abc');
    expect(nextLinkOf({ pagination: {} })).toBeUndefined();
    expect(nextLinkOf(undefined)).toBeUndefined();
    expect(nextLinkOf({ pagination: { next_link: '' } })).toBeUndefined();
  });
});

describe('library info parsing', () => {
  it('reads the recorded object', () => {
    // Act
    const info = toLibraryInfo(wireInfoSchema.parse(fixture('api-notes-library-info.json')));
    // Assess
    expect(info).toEqual({
      maxUploadSizeLimit: 5242880,
      maxPremiumSpaceLimit: 262144000,
      maxFreeFileNum: 0,
      imageRoot: 'https://origin.ih.constantcontact.com/fs000/0000000000000/img/',
      usageSummary: {
        folderCount: 6,
        fileCount: 637,
        imageCount: 492,
        documentCount: 145,
        totalBytesUsed: 36240602,
        totalBytesRemaining: 225903398,
        freeFilesRemaining: 0,
      },
    });
  });

  it('reads the same info wrapped in a one-element array', () => {
    // Act
    const wrapped = toLibraryInfo(wireInfoSchema.parse(fixture('api-notes-library-info-array.json')));
    const plain = toLibraryInfo(wireInfoSchema.parse(fixture('api-notes-library-info.json')));
    // Assess
    expect(wrapped).toEqual(plain);
  });

  it('refuses info without max_upload_size_limit', () => {
    expect(wireInfoSchema.safeParse({ max_free_file_num: 0 }).success).toBe(false);
    expect(wireInfoSchema.safeParse([]).success).toBe(false);
  });
});

describe('folder tree', () => {
  it('keeps children nested, turns "" and "0" parent ids into no parent, keeps negative string ids', () => {
    // Prepare
    const page = wireFolderPageSchema.parse(fixture('api-notes-folders.json'));
    // Act
    const tree = buildFolderTree(page.results ?? []);
    // Assess
    expect(tree).toEqual([
      {
        id: '-1',
        name: 'Documents',
        level: 0,
        itemCount: 0,
        createdDate: '2013-06-19T11:36:43.000-04:00',
        modifiedDate: '2013-09-24T13:55:35.000-04:00',
        children: [
          {
            id: '-10',
            name: 'market_studies',
            level: 2,
            parentId: '-1',
            itemCount: 0,
            createdDate: '2013-06-19T11:36:43.000-04:00',
            modifiedDate: '2013-09-24T13:55:35.000-04:00',
            children: [],
          },
        ],
      },
      {
        id: '-2',
        name: 'Images',
        level: 0,
        itemCount: 3,
        createdDate: '2013-06-19T11:36:43.000-04:00',
        modifiedDate: '2013-09-24T13:55:35.000-04:00',
        children: [],
      },
    ]);
    expect(nextLinkOf(page.meta)).toBe('/v2/library/folders?next=b2Zmc2V0PTQmbGltaXQ9NA');
  });

  it('rebuilds the tree from a flat list with parent ids, across pages', () => {
    // Prepare
    const flat: WireFolder[] = [
      { id: '-3', name: 'grandchild', parent_id: '-2', children: [] },
      { id: '-1', name: 'root', parent_id: '', children: [] },
      { id: '-2', name: 'child', parent_id: '-1', children: [] },
    ];
    // Act
    const tree = buildFolderTree(flat);
    // Assess
    expect(tree).toHaveLength(1);
    expect(tree[0]?.id).toBe('-1');
    expect(tree[0]?.children[0]?.id).toBe('-2');
    expect(tree[0]?.children[0]?.children[0]?.id).toBe('-3');
  });

  it('lists a folder once even when it appears nested and flat', () => {
    // Prepare
    const child: WireFolder = { id: '-2', name: 'child', parent_id: '-1', children: [] };
    // Act
    const tree = buildFolderTree([{ id: '-1', name: 'root', children: [child] }, child]);
    // Assess
    expect(tree).toHaveLength(1);
    expect(tree[0]?.children.map((c) => c.id)).toEqual(['-2']);
  });

  it('does not loop on folders that name each other as parent', () => {
    // Act
    const tree = buildFolderTree([
      { id: 'a', name: 'a', parent_id: 'b', children: [] },
      { id: 'b', name: 'b', parent_id: 'a', children: [] },
    ]);
    // Assess
    const count = (folders: typeof tree): number => folders.reduce((n, f) => n + 1 + count(f.children), 0);
    expect(count(tree)).toBe(2);
  });

  it('accepts numeric folder ids and a null children list', () => {
    // Act
    const page = wireFolderPageSchema.parse({
      meta: { pagination: {} },
      results: [{ id: -5, name: 'x', parent_id: 0, children: null }],
    });
    const tree = buildFolderTree(page.results ?? []);
    // Assess
    expect(tree).toEqual([{ id: '-5', name: 'x', children: [] }]);
  });
});
