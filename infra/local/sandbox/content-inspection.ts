/**
 * What the library's back end learns from a file's bytes: its real format, its pixel size, and whether
 * the virus scanner objects. The sandbox uses it to decide the final status (Active, Failed, VirusFound)
 * and the width/height of the file record.
 *
 * Only the first bytes (`HEAD_BYTES`) are needed for format and size, so this works the same when the
 * sandbox keeps no bytes; the EICAR scan runs over the whole stream (see `EicarScanner`).
 */
import { IMAGE_FILE_TYPES, type FileType } from './vendor-facts.ts';

/** How many leading bytes are kept for inspection even when `keepBytes` is false. */
export const HEAD_BYTES = 64 * 1024;

/** The industry-standard antivirus test string: harmless, detected by every scanner. */
export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');

/**
 * Finds the EICAR string anywhere in a stream of chunks, including across chunk boundaries, while
 * holding only the last `EICAR.length - 1` bytes. (Real scanners only flag it at the start of a file;
 * anywhere is more useful for tests that embed it in a real image.)
 */
export class EicarScanner {
  private tail = Buffer.alloc(0);
  /** Set once the string has been seen. */
  found = false;

  /** Scans the next chunk of the stream. */
  push(chunk: Buffer): void {
    if (this.found) return;
    const window = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    if (window.includes(EICAR)) {
      this.found = true;
      this.tail = Buffer.alloc(0);
      return;
    }
    const keep = Math.min(window.length, EICAR.length - 1);
    this.tail = Buffer.from(window.subarray(window.length - keep));
  }
}

/** The container format leading bytes announce; the Office "x" formats are zip, the older ones OLE2. */
export type ContentFamily = 'PNG' | 'JPEG' | 'GIF' | 'PDF' | 'ZIP' | 'OLE' | 'UNKNOWN';

/** Each format's signature: the bytes its files begin with. */
const SIGNATURES: ReadonlyArray<readonly [ContentFamily, Buffer]> = [
  ['PNG', Buffer.from('89504e470d0a1a0a', 'hex')],
  ['JPEG', Buffer.from('ffd8ff', 'hex')],
  ['GIF', Buffer.from('GIF87a', 'latin1')],
  ['GIF', Buffer.from('GIF89a', 'latin1')],
  ['PDF', Buffer.from('%PDF', 'latin1')],
  ['ZIP', Buffer.from('504b0304', 'hex')],
  ['OLE', Buffer.from('d0cf11e0', 'hex')],
];

/** The format family the leading bytes announce. */
export function detectFamily(head: Buffer): ContentFamily {
  const match = SIGNATURES.find(([, signature]) => head.subarray(0, signature.length).equals(signature));
  return match?.[0] ?? 'UNKNOWN';
}

/** The accepted file types each family holds. */
const TYPES_BY_FAMILY: Readonly<Partial<Record<ContentFamily, readonly FileType[]>>> = {
  PNG: ['PNG'],
  JPEG: ['JPEG', 'JPG'],
  GIF: ['GIF'],
  PDF: ['PDF'],
  ZIP: ['DOCX', 'XLSX', 'PPTX'],
  OLE: ['DOC', 'XLS', 'PPT'],
};

/** The file types the library makes thumbnails and dimensions for. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set(IMAGE_FILE_TYPES);

/** True when the bytes are what `fileType` claims (a JPEG labelled PNG is not). */
export function matchesFileType(fileType: string, head: Buffer): boolean {
  const types: readonly string[] = TYPES_BY_FAMILY[detectFamily(head)] ?? [];
  return types.includes(fileType);
}

/** A picture's size in pixels. */
export interface Dimensions {
  width: number;
  height: number;
}

/** Used when an image's header cannot be read (e.g. a JPEG whose SOF lies beyond HEAD_BYTES). */
export const FALLBACK_DIMENSIONS: Dimensions = { width: 800, height: 600 };

/** Pixel size from a PNG, GIF or JPEG header; undefined when the header does not say. */
export function readImageDimensions(head: Buffer): Dimensions | undefined {
  switch (detectFamily(head)) {
    case 'PNG':
      // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height, big-endian.
      return head.length >= 24 ? { width: head.readUInt32BE(16), height: head.readUInt32BE(20) } : undefined;
    case 'GIF':
      return head.length >= 10 ? { width: head.readUInt16LE(6), height: head.readUInt16LE(8) } : undefined;
    case 'JPEG':
      return readJpegDimensions(head);
    default:
      return undefined;
  }
}

/** Walks JPEG segments to the first start-of-frame marker, which holds height then width. */
function readJpegDimensions(head: Buffer): Dimensions | undefined {
  let offset = 2;
  while (offset + 4 <= head.length) {
    if (head[offset] !== 0xff) return undefined;
    const marker = head[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = head.readUInt16BE(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 9 > head.length) return undefined;
      return { height: head.readUInt16BE(offset + 5), width: head.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

/** A 200-pixel-wide thumbnail box, like the vendor's (e.g. 800x600 → 200x150). */
export function thumbnailSize(dimensions: Dimensions): Dimensions {
  if (dimensions.width <= 0 || dimensions.height <= 0) return { width: 200, height: 150 };
  if (dimensions.width >= dimensions.height) {
    return { width: 200, height: Math.max(1, Math.floor((200 * dimensions.height) / dimensions.width)) };
  }
  return { width: Math.max(1, Math.floor((200 * dimensions.width) / dimensions.height)), height: 200 };
}
