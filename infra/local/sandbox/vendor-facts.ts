/**
 * What the vendor says the MyLibrary v2 API accepts and answers, as the sandbox's own record. The
 * sandbox stands for the vendor, so it takes these from the vendor's reference pages (and the vendor's
 * SDKs and forum where the pages are silent: docs/library-api.md), never from the pipeline's client:
 * if the client's idea of the API drifted, the contract tests against the sandbox must notice.
 */

/** `GET /library/files/uploadstatus/{ids}`: Processing and Uploaded are on the way, the rest are final. */
export const UPLOAD_STATUSES = ['Processing', 'Uploaded', 'Active', 'VirusFound', 'Failed', 'Deleted'] as const;
/** One status of the upload-status endpoint. */
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** The multipart POST's supported file types: "Image files" and "Document files". */
export const IMAGE_FILE_TYPES = ['JPEG', 'JPG', 'GIF', 'PNG'] as const;
/** The document half of the supported file types. */
export const DOCUMENT_FILE_TYPES = ['PDF', 'DOC', 'DOCX', 'XLS', 'XLSX', 'PPT', 'PPTX'] as const;
/** Every `file_type` the upload accepts. */
export const FILE_TYPES = [...IMAGE_FILE_TYPES, ...DOCUMENT_FILE_TYPES] as const;
/** One accepted `file_type`. */
export type FileType = (typeof FILE_TYPES)[number];

/** The `source` values of an upload (the list query's `source` filter takes these or ALL). */
export const FILE_SOURCES = ['MyComputer', 'StockImage', 'Facebook', 'Instagram', 'Shutterstock', 'Mobile'] as const;
/** One file source. */
export type FileSource = (typeof FILE_SOURCES)[number];

/** The file lists' `sort_by` values (default CREATED_DATE_DESC). */
export const SORT_ORDERS = [
  'CREATED_DATE',
  'CREATED_DATE_DESC',
  'MODIFIED_DATE',
  'MODIFIED_DATE_DESC',
  'NAME',
  'NAME_DESC',
  'SIZE',
  'SIZE_DESC',
  'DIMENSION',
  'DIMENSION_DESC',
] as const;
/** One `sort_by` value. */
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Lengths and counts: string(80) names, 100-character descriptions, 3 folder levels, lists of 1-1000. */
export const LIMITS = {
  descriptionMaxLength: 100,
  fileNameMaxLength: 80,
  folderNameMaxLength: 80,
  folderMaxDepth: 3,
  listLimitMax: 1000,
} as const;
