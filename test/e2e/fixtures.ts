/**
 * Files for the end-to-end runs, and the event schema check.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { EICAR } from '../../infra/local/sandbox/index.ts';

import { pdfBytes } from '../support/sample-files.ts';

export { pdfBytes, pngBytes } from '../support/sample-files.ts';

/** A PDF carrying the EICAR test string: the sandbox's virus scan reports VirusFound. */
export function infectedPdfBytes(): Buffer {
  return Buffer.concat([pdfBytes('infected'), EICAR, Buffer.from('\n')]);
}

const SCHEMA_PATH = fileURLToPath(
  new URL('../../shared/events/schema/library-upload-event.v1.schema.json', import.meta.url),
);

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
