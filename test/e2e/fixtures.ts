/**
 * Files for the end-to-end runs, and the event schema check.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { EICAR } from '../../infra/local/sandbox/index.ts';

/** A PNG signature and IHDR chunk, then padding: what the sandbox needs to call it a PNG. */
export function pngBytes(width = 64, height = 48, padding = 256): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return Buffer.concat([header, Buffer.alloc(padding, 7)]);
}

export function pdfBytes(text = 'hello'): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`, 'latin1');
}

/** A PDF carrying the EICAR test string: the sandbox's virus scan reports VirusFound. */
export function infectedPdfBytes(): Buffer {
  return Buffer.concat([pdfBytes('infected'), EICAR, Buffer.from('\n')]);
}

const SCHEMA_PATH = fileURLToPath(new URL('../../shared/events/schema/library-upload-event.v1.schema.json', import.meta.url));

/** Validates an event `detail` against the published JSON Schema; returns the errors (empty = valid). */
export function eventDetailErrors(detail: unknown): string[] {
  validator ??= (() => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (ajvFormats as unknown as { default: (a: Ajv2020) => Ajv2020 }).default(ajv);
    return ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  })();
  return validator(detail) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
let validator: ReturnType<Ajv2020['compile']> | undefined;
