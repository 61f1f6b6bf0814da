/**
 * The v2 MyLibrary route table, paths as in the vendor's pages (below `/v2`). Order matters where a
 * literal segment could be read as an id (`uploadstatus`, `trash`).
 */
import type { Route } from '../router.ts';
import { deleteFile, getFile, listFiles, listFolderFiles, updateFile } from './files.ts';
import { createFolder, getFolder, listFolders } from './folders.ts';
import { getLibraryInfo } from './info.ts';
import { getUploadStatus } from './status.ts';
import { emptyTrash, listTrash } from './trash.ts';
import { uploadFile } from './upload.ts';

const ID = '([^/]+)';

/** Every operation the sandbox serves under `/v2`. */
export const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/library\/files\/?$/, endpoint: 'uploadFile', handle: uploadFile },
  { method: 'GET', pattern: /^\/library\/files\/?$/, endpoint: 'listFiles', handle: listFiles },
  {
    method: 'GET',
    pattern: new RegExp(`^/library/files/uploadstatus/${ID}$`),
    endpoint: 'getUploadStatus',
    handle: getUploadStatus,
  },
  { method: 'GET', pattern: new RegExp(`^/library/files/${ID}$`), endpoint: 'getFile', handle: getFile },
  { method: 'PUT', pattern: new RegExp(`^/library/files/${ID}$`), endpoint: 'updateFile', handle: updateFile },
  { method: 'DELETE', pattern: new RegExp(`^/library/files/${ID}$`), endpoint: 'deleteFile', handle: deleteFile },
  { method: 'GET', pattern: /^\/library\/folders\/?$/, endpoint: 'listFolders', handle: listFolders },
  { method: 'POST', pattern: /^\/library\/folders\/?$/, endpoint: 'createFolder', handle: createFolder },
  { method: 'GET', pattern: /^\/library\/folders\/trash\/files\/?$/, endpoint: 'listTrash', handle: listTrash },
  { method: 'DELETE', pattern: /^\/library\/folders\/trash\/files\/?$/, endpoint: 'emptyTrash', handle: emptyTrash },
  {
    method: 'GET',
    pattern: new RegExp(`^/library/folders/${ID}/files/?$`),
    endpoint: 'listFolderFiles',
    handle: listFolderFiles,
  },
  { method: 'GET', pattern: new RegExp(`^/library/folders/${ID}$`), endpoint: 'getFolder', handle: getFolder },
  { method: 'GET', pattern: /^\/library\/info\/?$/, endpoint: 'getLibraryInfo', handle: getLibraryInfo },
];
