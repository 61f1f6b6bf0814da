/** How upload-status ids are grouped into URLs (the API documents no maximum: see docs/library-api.md). */

/** Ids per upload-status request by default. */
export const DEFAULT_STATUS_CHUNK_SIZE = 100;
/** Longest ids segment of an upload-status URL (keeps the whole URL far below common 8 KB limits). */
export const MAX_STATUS_IDS_PATH_LENGTH = 1800;

/**
 * Splits ids into groups for the upload-status URL: at most `chunkSize` ids and at most
 * `maxPathLength` characters of encoded, comma-separated ids per group.
 */
export function chunkStatusIds(
  ids: readonly string[],
  chunkSize: number,
  maxPathLength = MAX_STATUS_IDS_PATH_LENGTH,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    const encodedLength = encodeURIComponent(id).length;
    const added = current.length === 0 ? encodedLength : encodedLength + 1;
    if (current.length > 0 && (current.length >= chunkSize || length + added > maxPathLength)) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    length += current.length === 0 ? encodedLength : encodedLength + 1;
    current.push(id);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The ids segment of an upload-status path: each id encoded, joined by commas. */
export function statusIdsPath(chunk: readonly string[]): string {
  return `/library/files/uploadstatus/${chunk.map((id) => encodeURIComponent(id)).join(',')}`;
}
