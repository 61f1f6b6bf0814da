/**
 * The client's operations other than the upload, one function each: check the input (a
 * LibraryInputError costs no request), send, map the JSON answer to the camelCase types.
 */
import type { ExchangeResponse } from './http.ts';
import { parseJson } from './json-response.ts';
import { endpointTarget, paginate, resolveNextLink } from './pagination.ts';
import type { BaseLocation, RequestTarget } from './pagination.ts';
import { is2xx, isOk } from './requester.ts';
import type { LibraryRequester } from './requester.ts';
import { chunkStatusIds, statusIdsPath } from './status-ids.ts';
import type {
  FileChanges,
  LibraryFile,
  LibraryFolder,
  LibraryInfo,
  LibraryOperation,
  ListFilesOptions,
  Page,
  UploadStatus,
} from './types.ts';
import {
  validateFileChanges,
  validateFolderName,
  validateId,
  validateListOptions,
  validateStatusIds,
} from './validation.ts';
import {
  buildFolderTree,
  nextLinkOf,
  toLibraryFile,
  toLibraryFolder,
  toLibraryInfo,
  toUploadStatuses,
  wireCreatedFolderSchema,
  wireFilePageSchema,
  wireFileSchema,
  wireFolderPageSchema,
  wireInfoSchema,
  wireUploadStatusListSchema,
} from './wire-schemas.ts';
import type { WireFolder } from './wire-schemas.ts';

/** What every operation needs from its client. */
export interface EndpointContext {
  base: BaseLocation;
  requester: LibraryRequester;
  statusChunkSize: number;
}

const encodeId = (id: string): string => encodeURIComponent(id);

function get(context: EndpointContext, operation: LibraryOperation, target: RequestTarget): Promise<ExchangeResponse> {
  return context.requester.send(operation, 'GET', target, isOk);
}

/** `GET /library/files/uploadstatus/{ids}`, one request per chunk of ids. */
export async function getUploadStatus(context: EndpointContext, fileIds: readonly string[]): Promise<UploadStatus[]> {
  const ids = [...new Set(validateStatusIds(fileIds))];
  const statuses: UploadStatus[] = [];
  for (const chunk of chunkStatusIds(ids, context.statusChunkSize)) {
    const response = await get(context, 'getUploadStatus', endpointTarget(context.base, statusIdsPath(chunk)));
    statuses.push(...toUploadStatuses(parseJson(response, wireUploadStatusListSchema, { emptyAs: null }), chunk));
  }
  return statuses;
}

/** `GET /library/files/{id}`. */
export async function getFile(context: EndpointContext, fileId: string): Promise<LibraryFile> {
  const id = validateId('getFile', 'fileId', fileId);
  const response = await get(context, 'getFile', endpointTarget(context.base, `/library/files/${encodeId(id)}`));
  return toLibraryFile(parseJson(response, wireFileSchema));
}

/** One page of `GET /library/files`. */
export async function listFiles(context: EndpointContext, options: ListFilesOptions = {}): Promise<Page<LibraryFile>> {
  validateListOptions('listFiles', options);
  return filePage(await get(context, 'listFiles', listTarget(context.base, '/library/files', options)));
}

/** One page of `GET /library/folders/{id}/files`. */
export async function listFolderFiles(
  context: EndpointContext,
  folderId: string,
  options: ListFilesOptions = {},
): Promise<Page<LibraryFile>> {
  const operation = 'listFolderFiles';
  const id = validateId(operation, 'folderId', folderId);
  validateListOptions(operation, options);
  const path = `/library/folders/${encodeId(id)}/files`;
  return filePage(await get(context, operation, listTarget(context.base, path, options)));
}

/** Every file of every page of the account's (or one folder's) files, lazily. */
export async function* iterateFiles(
  context: EndpointContext,
  options: ListFilesOptions & { folderId?: string } = {},
): AsyncGenerator<LibraryFile> {
  const { folderId, ...listOptions } = options;
  if (folderId === undefined) {
    yield* paginate(
      'listFiles',
      () => listFiles(context, listOptions),
      (next) => listFiles(context, { next }),
    );
    return;
  }
  yield* paginate(
    'listFolderFiles',
    () => listFolderFiles(context, folderId, listOptions),
    (next) => listFolderFiles(context, folderId, { next }),
  );
}

/** The whole folder tree: every page of `GET /library/folders`, children nested. */
export async function listFolders(context: EndpointContext): Promise<LibraryFolder[]> {
  const { base } = context;
  const path = `${base.basePath}/library/folders`;
  const pages = paginate(
    'listFolders',
    async () => folderPage(await get(context, 'listFolders', endpointTarget(base, '/library/folders'))),
    async (next) => folderPage(await get(context, 'listFolders', resolveNextLink(base, next, path))),
  );
  const wireFolders: WireFolder[] = [];
  for await (const folder of pages) wireFolders.push(folder);
  return buildFolderTree(wireFolders);
}

/** `POST /library/folders`. */
export async function createFolder(context: EndpointContext, name: string, parentId?: string): Promise<LibraryFolder> {
  const folderName = validateFolderName(name);
  const parent = parentId === undefined ? undefined : validateId('createFolder', 'parentId', parentId);
  const json = parent === undefined ? { name: folderName } : { name: folderName, parent_id: parent };
  const target = endpointTarget(context.base, '/library/folders');
  const response = await context.requester.send('createFolder', 'POST', target, is2xx, { json });
  return toLibraryFolder(parseJson(response, wireCreatedFolderSchema));
}

/** `GET /library/info`. */
export async function getLibraryInfo(context: EndpointContext): Promise<LibraryInfo> {
  const response = await get(context, 'getLibraryInfo', endpointTarget(context.base, '/library/info'));
  return toLibraryInfo(parseJson(response, wireInfoSchema));
}

/** `DELETE /library/files/{id}` (the file moves to the Trash). */
export async function deleteFile(context: EndpointContext, fileId: string): Promise<void> {
  const id = validateId('deleteFile', 'fileId', fileId);
  const target = endpointTarget(context.base, `/library/files/${encodeId(id)}`);
  await context.requester.send('deleteFile', 'DELETE', target, is2xx);
}

/** `DELETE /library/files/{id1,id2,…}`, one request per chunk of ids (the files move to the Trash). */
export async function deleteFiles(context: EndpointContext, fileIds: readonly string[]): Promise<void> {
  const ids = [...new Set(validateStatusIds(fileIds))];
  for (const chunk of chunkStatusIds(ids, context.statusChunkSize)) {
    const target = endpointTarget(context.base, `/library/files/${chunk.map(encodeId).join(',')}`);
    await context.requester.send('deleteFile', 'DELETE', target, is2xx);
  }
}

/** `PUT /library/files/{id}`: the changed fields only; the answer is the updated file. */
export async function updateFile(context: EndpointContext, fileId: string, changes: FileChanges): Promise<LibraryFile> {
  const id = validateId('updateFile', 'fileId', fileId);
  const json = validateFileChanges(changes);
  const target = endpointTarget(context.base, `/library/files/${encodeId(id)}`);
  const response = await context.requester.send('updateFile', 'PUT', target, isOk, { json });
  return toLibraryFile(parseJson(response, wireFileSchema));
}

/** The target of a list request: the given `next` link, or the first page with the filters. */
function listTarget(base: BaseLocation, path: string, options: ListFilesOptions): RequestTarget {
  if (options.next !== undefined) return resolveNextLink(base, options.next, `${base.basePath}${path}`);
  return endpointTarget(base, path, {
    limit: options.limit,
    sort_by: options.sortBy,
    type: options.type,
    source: options.source,
  });
}

function filePage(response: ExchangeResponse): Page<LibraryFile> {
  const page = parseJson(response, wireFilePageSchema);
  const nextLink = nextLinkOf(page.meta);
  return { results: (page.results ?? []).map(toLibraryFile), ...(nextLink === undefined ? {} : { nextLink }) };
}

function folderPage(response: ExchangeResponse): Page<WireFolder> {
  const page = parseJson(response, wireFolderPageSchema);
  const nextLink = nextLinkOf(page.meta);
  return { results: page.results ?? [], ...(nextLink === undefined ? {} : { nextLink }) };
}
