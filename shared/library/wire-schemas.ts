/**
 * The JSON the v2 MyLibrary API returns, as zod schemas, and its mapping to the camelCase types of
 * `types.ts`. Lenient where the vendor is inconsistent, strict only about what the pipeline cannot do
 * without, blind to unknown fields: docs/library-api.md.
 */
import * as z from 'zod';
import type { LibraryFile, LibraryFolder, LibraryInfo, UploadStatus } from './types.ts';

/** A string or a number, as a string (`"9"` and `9` are the same id). */
const wireId = z.union([z.string(), z.number().transform((n) => String(n))]);

/** A number, also accepted as a numeric string; `null` counts as absent. */
const wireNumber = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
    z.null(),
  ])
  .optional()
  .transform((v) => (v === null ? undefined : v));

/** A string; `null` counts as absent. */
const wireString = z
  .string()
  .nullable()
  .optional()
  .transform((v) => (v === null ? undefined : v));

const wireBoolean = z
  .boolean()
  .nullable()
  .optional()
  .transform((v) => (v === null ? undefined : v));

/** An optional id (string or number); `null` and `""` count as absent. */
const wireOptionalId = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));

/** A file's `thumbnail`. */
export const wireThumbnailSchema = z.looseObject({
  url: z.string(),
  width: wireNumber,
  height: wireNumber,
});

/** A file record, as the file endpoints and lists send it. */
export const wireFileSchema = z.looseObject({
  id: wireId,
  name: z.string(),
  description: wireString,
  folder: wireString,
  folder_id: wireOptionalId,
  width: wireNumber,
  height: wireNumber,
  size: wireNumber,
  url: wireString,
  source: wireString,
  status: wireString,
  thumbnail: wireThumbnailSchema.nullable().optional(),
  created_date: wireString,
  modified_date: wireString,
  is_image: wireBoolean,
  file_type: wireString,
  /** The trash listing's name for `file_type`. */
  type: wireString,
});
/** A file record as parsed. */
export type WireFile = z.output<typeof wireFileSchema>;

/** `meta.pagination.next_link`; `"pagination": {}` (or no meta at all) on the last page. */
export const wireMetaSchema = z
  .looseObject({
    pagination: z.looseObject({ next_link: wireString }).nullable().optional(),
  })
  .nullable()
  .optional();

/** A page of file records. */
export const wireFilePageSchema = z.looseObject({
  meta: wireMetaSchema,
  results: z.array(wireFileSchema).nullable().optional(),
});

/** One upload-status entry; `file_id` is a string or a number. */
export const wireUploadStatusSchema = z.looseObject({
  file_id: wireOptionalId,
  status: z.string().min(1),
  description: wireString,
});

/** "Returns a null set": an array, possibly empty; `null` or an empty body count as empty. */
export const wireUploadStatusListSchema = z.array(wireUploadStatusSchema).nullable();

/** A folder as parsed, children always an array. */
export interface WireFolder {
  id: string;
  name: string;
  level?: number | undefined;
  parent_id?: string | undefined;
  item_count?: number | undefined;
  children: WireFolder[];
  created_date?: string | undefined;
  modified_date?: string | undefined;
}

/** A folder with its nested children. */
export const wireFolderSchema: z.ZodType<WireFolder, unknown> = z.lazy(() =>
  z
    .looseObject({
      id: wireId,
      name: z.string(),
      level: wireNumber,
      parent_id: wireOptionalId,
      item_count: wireNumber,
      children: z.array(wireFolderSchema).nullable().optional(),
      created_date: wireString,
      modified_date: wireString,
    })
    .transform((f): WireFolder => ({
      id: f.id,
      name: f.name,
      level: f.level,
      parent_id: f.parent_id,
      item_count: f.item_count,
      children: f.children ?? [],
      created_date: f.created_date,
      modified_date: f.modified_date,
    })),
);

/** A page of the folder tree. */
export const wireFolderPageSchema = z.looseObject({
  meta: wireMetaSchema,
  results: z.array(wireFolderSchema).nullable().optional(),
});

/** `POST /library/folders` answers with one folder object (tolerated: wrapped in a one-element array). */
export const wireCreatedFolderSchema = z.union([wireFolderSchema, z.tuple([wireFolderSchema]).transform(([f]) => f)]);

const wireInfoObjectSchema = z.looseObject({
  max_upload_size_limit: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  max_premium_space_limit: wireNumber,
  max_free_file_num: wireNumber,
  image_root: wireString,
  usage_summary: z
    .looseObject({
      folder_count: wireNumber,
      file_count: wireNumber,
      image_count: wireNumber,
      document_count: wireNumber,
      total_bytes_used: wireNumber,
      total_bytes_remaining: wireNumber,
      free_files_remaining: wireNumber,
    })
    .nullable()
    .optional(),
});

/** One SDK's fixture wraps the info in a one-element array: accept both. */
export const wireInfoSchema = z.union([
  wireInfoObjectSchema,
  z.tuple([wireInfoObjectSchema]).transform(([info]) => info),
]);

/** Drops keys whose value is `undefined`, so mapped objects compare and print cleanly. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** The camelCase file record, absent fields left out. */
export function toLibraryFile(wire: WireFile): LibraryFile {
  return compact<LibraryFile>({
    id: wire.id,
    name: wire.name,
    description: wire.description,
    folder: wire.folder,
    folderId: wire.folder_id,
    width: wire.width,
    height: wire.height,
    size: wire.size,
    url: wire.url,
    source: wire.source,
    status: wire.status,
    thumbnail: wire.thumbnail
      ? compact({ url: wire.thumbnail.url, width: wire.thumbnail.width, height: wire.thumbnail.height })
      : undefined,
    createdDate: wire.created_date,
    modifiedDate: wire.modified_date,
    isImage: wire.is_image,
    fileType: wire.file_type ?? wire.type,
  });
}

/** A top-level folder's `parent_id` is `""` or `"0"` (docs/library-api.md): both mean "no parent". */
function parentIdOf(wire: WireFolder): string | undefined {
  return wire.parent_id === undefined || wire.parent_id === '0' ? undefined : wire.parent_id;
}

/** One folder without its children (they are attached by `buildFolderTree`). */
function toFlatFolder(wire: WireFolder): LibraryFolder {
  return compact<LibraryFolder>({
    id: wire.id,
    name: wire.name,
    level: wire.level,
    parentId: parentIdOf(wire),
    itemCount: wire.item_count,
    children: [],
    createdDate: wire.created_date,
    modifiedDate: wire.modified_date,
  });
}

/** One folder and its nested children, camelCase. */
export function toLibraryFolder(wire: WireFolder): LibraryFolder {
  const [root] = buildFolderTree([wire]);
  return root ?? toFlatFolder(wire);
}

/**
 * The folder tree from the API's results, whatever their shape: children nested in their parent (the
 * documented form), listed flat with a `parent_id`, or a mix spread over several pages. Each folder
 * appears once (first occurrence wins); a folder whose parent is not in the set is a root. Order is the
 * order of first appearance.
 */
export function buildFolderTree(wireFolders: readonly WireFolder[]): LibraryFolder[] {
  const byId = new Map<string, LibraryFolder>();
  const nestedParent = new Map<string, string | undefined>();
  const order: string[] = [];

  const visit = (wire: WireFolder, parentFromNesting: string | undefined): void => {
    if (!byId.has(wire.id)) {
      const folder = toFlatFolder(wire);
      if (folder.parentId === undefined && parentFromNesting !== undefined) folder.parentId = parentFromNesting;
      byId.set(wire.id, folder);
      // Nesting is the documented structure, so it wins over a disagreeing parent_id.
      nestedParent.set(wire.id, parentFromNesting ?? folder.parentId);
      order.push(wire.id);
    }
    for (const child of wire.children) visit(child, wire.id);
  };
  for (const wire of wireFolders) visit(wire, undefined);

  const roots: LibraryFolder[] = [];
  for (const id of order) {
    const folder = byId.get(id);
    if (!folder) continue;
    const parentId = nestedParent.get(id);
    const parent = parentId === undefined || parentId === id ? undefined : byId.get(parentId);
    if (parent && !createsCycle(byId, nestedParent, id)) parent.children.push(folder);
    else roots.push(folder);
  }
  return roots;
}

/** True if following parents from `id` comes back to `id` (a malformed answer must not loop forever). */
function createsCycle(
  byId: ReadonlyMap<string, LibraryFolder>,
  parents: ReadonlyMap<string, string | undefined>,
  id: string,
): boolean {
  const seen = new Set<string>([id]);
  let current = parents.get(id);
  while (current !== undefined && byId.has(current)) {
    if (seen.has(current)) return true;
    seen.add(current);
    current = parents.get(current);
  }
  return false;
}

/** The camelCase account info, absent fields left out. */
export function toLibraryInfo(wire: z.output<typeof wireInfoSchema>): LibraryInfo {
  const usage = wire.usage_summary;
  return compact<LibraryInfo>({
    maxUploadSizeLimit: wire.max_upload_size_limit,
    maxPremiumSpaceLimit: wire.max_premium_space_limit,
    maxFreeFileNum: wire.max_free_file_num,
    imageRoot: wire.image_root,
    usageSummary: usage
      ? compact({
          folderCount: usage.folder_count,
          fileCount: usage.file_count,
          imageCount: usage.image_count,
          documentCount: usage.document_count,
          totalBytesUsed: usage.total_bytes_used,
          totalBytesRemaining: usage.total_bytes_remaining,
          freeFilesRemaining: usage.free_files_remaining,
        })
      : undefined,
  });
}

/**
 * Upload statuses from one response. An entry without a `file_id` can only be attributed when the
 * request asked for a single id; otherwise it is dropped (the caller treats absent ids as unknown).
 */
export function toUploadStatuses(
  wire: z.output<typeof wireUploadStatusListSchema>,
  requestedIds: readonly string[],
): UploadStatus[] {
  const statuses: UploadStatus[] = [];
  for (const entry of wire ?? []) {
    const fileId = entry.file_id ?? (requestedIds.length === 1 ? requestedIds[0] : undefined);
    if (fileId === undefined) continue;
    statuses.push({ fileId, status: entry.status, description: entry.description ?? entry.status });
  }
  return statuses;
}

/** The next page's link, or undefined on the last page. */
export function nextLinkOf(
  meta: { pagination?: { next_link?: string | undefined } | null | undefined } | null | undefined,
): string | undefined {
  const link = meta?.pagination?.next_link;
  return link === undefined || link.trim() === '' ? undefined : link;
}
