/** The v1 event detail's JSON Schema, compiled once per call, for tests that check every event they see. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';

/** Where the normative schema lives. */
export const SCHEMA_PATH = new URL('../../shared/events/schema/library-upload-event.v1.schema.json', import.meta.url);

/** An ajv (draft 2020-12, strict, with formats) validator for the v1 detail. */
export function detailValidator(): (detail: unknown) => { valid: boolean; errors: ErrorObject[] } {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const plugin = (ajvFormats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;
  plugin(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  return (detail) => {
    const valid = validate(detail);
    return { valid, errors: validate.errors ?? [] };
  };
}
