/**
 * `createLibraryClient`: the Constant Contact v2 MyLibrary client the functions share. It wires the
 * transport (keep-alive pool), the requester (credentials, rate limiter, 401 refresh, read retries),
 * the upload and the other endpoints. The API's behaviour it relies on: docs/library-api.md.
 */
import { resolveClientOptions } from './client-options.ts';
import * as endpoints from './endpoints.ts';
import { HttpTransport } from './http.ts';
import { LibraryRequester } from './requester.ts';
import type { LibraryClient, LibraryClientOptions } from './types.ts';
import { uploadFile } from './upload.ts';

export { DEFAULT_READ_RETRIES } from './client-options.ts';
export { DEFAULT_STATUS_CHUNK_SIZE, MAX_STATUS_IDS_PATH_LENGTH, chunkStatusIds } from './status-ids.ts';
export { fileIdFromLocation, uploadCertainlyNotStored } from './upload.ts';

/**
 * Creates a client with its own keep-alive pool. Throws a TypeError for unusable options (a base URL that
 * is not http(s), carries credentials or a query; non-positive timeouts or sizes).
 */
export function createLibraryClient(options: LibraryClientOptions): LibraryClient {
  const { base, timeouts, connections, readRetries, sleep, statusChunkSize } = resolveClientOptions(options);
  const { credentials, beforeRequest, onRequest } = options;
  const transport = new HttpTransport({ base, timeouts, connections, onRequest });
  const requester = new LibraryRequester({ transport, credentials, beforeRequest, readRetries, sleep });
  const context: endpoints.EndpointContext = { base, requester, statusChunkSize };
  return {
    uploadFile: (input) => uploadFile({ base, transport, requester, credentials }, input),
    getUploadStatus: (fileIds) => endpoints.getUploadStatus(context, fileIds),
    getFile: (fileId) => endpoints.getFile(context, fileId),
    listFiles: (listOptions) => endpoints.listFiles(context, listOptions),
    listFolderFiles: (folderId, listOptions) => endpoints.listFolderFiles(context, folderId, listOptions),
    iterateFiles: (iterateOptions) => endpoints.iterateFiles(context, iterateOptions),
    listFolders: () => endpoints.listFolders(context),
    createFolder: (name, parentId) => endpoints.createFolder(context, name, parentId),
    getLibraryInfo: () => endpoints.getLibraryInfo(context),
    deleteFile: (fileId) => endpoints.deleteFile(context, fileId),
    deleteFiles: (fileIds) => endpoints.deleteFiles(context, fileIds),
    updateFile: (fileId, changes) => endpoints.updateFile(context, fileId, changes),
    close: () => transport.close(),
  };
}
