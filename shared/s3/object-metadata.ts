/**
 * The S3 user metadata the pipeline reads (`x-amz-meta-*`; the SDK hands it over with lower-case keys):
 * - `description`: the library description (otherwise derived from the file name);
 * - `folder-id`: the library folder to upload into; wins over the key's path.
 *
 * S3 metadata travels in HTTP headers, so tools that store non-ASCII text encode it as RFC 2047
 * (`=?UTF-8?B?...?=` or `=?UTF-8?Q?...?=`): decoded here.
 */

export interface UploadMetadata {
  description?: string;
  folderId?: string;
}

/** The description and folder id an uploader set as S3 metadata (RFC 2047 decoded). */
export function readUploadMetadata(metadata: Record<string, string> | undefined): UploadMetadata {
  const lower = Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const result: UploadMetadata = {};
  const description = lower['description'];
  if (description !== undefined && description.trim() !== '') result.description = decodeRfc2047(description);
  const folderId = lower['folder-id'] ?? lower['folder_id'] ?? lower['folderid'];
  if (folderId !== undefined && folderId.trim() !== '') result.folderId = folderId.trim();
  return result;
}

/** Decodes RFC 2047 encoded words (UTF-8 only); other text is returned as is. */
export function decodeRfc2047(text: string): string {
  return text.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (whole, encoding: string, payload: string) => {
    try {
      if (encoding.toLowerCase() === 'b') return Buffer.from(payload, 'base64').toString('utf8');
      const bytes = payload.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => `%${hex}`);
      return decodeURIComponent(bytes);
    } catch {
      return whole;
    }
  });
}
