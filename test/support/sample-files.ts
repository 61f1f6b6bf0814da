/**
 * Smallest files the pipeline's checks accept as what their extension says: the first bytes are all
 * ingest's content check and the sandbox's processing look at, so the rest is padding.
 */

/** A PNG signature and IHDR chunk header (width, height), then `padding` bytes of `fill`. */
export function pngBytes(width = 64, height = 48, padding = 256, fill = 7): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return Buffer.concat([header, Buffer.alloc(padding, fill)]);
}

/** A minimal PDF carrying `text`, so two PDFs can differ in content. */
export function pdfBytes(text = 'hello'): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`, 'latin1');
}
