/**
 * S3 event notifications carry object keys URL-encoded the way HTML forms are: `+` for a space,
 * `%XX` for everything else that is not a plain character (UTF-8 bytes for non-ASCII), `/` kept as is.
 *
 * A literal `%` or `+` in a key is always sent as `%25` / `%2B`, so an invalid percent sequence cannot
 * come from S3 itself. When one shows up anyway, we decode leniently (valid sequences decoded, invalid
 * ones left as typed) and say so: the ingest then tries that key, and if no object answers to it the
 * version is recorded as Rejected `object-missing` (never retried). See docs/pipeline.md.
 */

export interface DecodedKey {
  key: string;
  /** False when the encoded key held invalid percent sequences and was decoded leniently. */
  exact: boolean;
}

/** Decodes a notification key (`+` for space, `%XX` UTF-8); invalid sequences are kept as typed and flagged. */
export function decodeS3Key(encoded: string): DecodedKey {
  const spaced = encoded.replace(/\+/g, ' ');
  try {
    return { key: decodeURIComponent(spaced), exact: true };
  } catch {
    return { key: decodeLeniently(spaced), exact: false };
  }
}

/**
 * The inverse, for tests and tools that build notifications: what S3 would put in `s3.object.key`.
 * Every byte outside `A-Z a-z 0-9 - _ . * /` is percent-encoded and spaces become `+`.
 */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** Decodes runs of valid `%XX` sequences that form UTF-8; leaves everything else untouched. */
function decodeLeniently(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // A run that is not valid UTF-8 as a whole: decode byte sequence by byte sequence where possible.
      return run.replace(/%[0-9A-Fa-f]{2}/g, (one) => {
        const byte = Number.parseInt(one.slice(1), 16);
        return byte < 0x80 ? String.fromCharCode(byte) : one;
      });
    }
  });
}
