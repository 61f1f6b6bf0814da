/**
 * The Schema Registry rendering (JSON Schema draft 4, generated from the normative schema) accepts
 * exactly the events the normative schema and the envelope rules accept, and uses only draft 4
 * keywords (so a draft 4 engine reads it as ajv does here).
 */
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_STATUSES, buildUploadEvent, detailTypeFor } from '../../../shared/events/index.ts';
import type { EventStatus } from '../../../shared/events/index.ts';
import { DRAFT4, DRAFT4_KEYWORDS, eventSchemaDraft4 } from '../../../shared/events/schema-draft4.ts';
import { validateLibraryUploadEvent } from '../../../shared/events/validate.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { detailCorpus, finalRecord } from '../../support/factories.ts';

type Schema = Record<string, unknown>;
const rendering = eventSchemaDraft4();
const normative = detailValidator();

/** ajv reads the draft 4 keywords used here as draft 4 defines them (checked by the keyword test). */
function draft4Validator(schema: Schema): (event: unknown) => boolean {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  (ajvFormats as unknown as { default: (a: Ajv) => Ajv }).default(ajv);
  const { $schema: _meta, ...body } = schema;
  return ajv.compile(body) as (event: unknown) => boolean;
}
const draft4 = draft4Validator(rendering);

function envelope(detail: unknown, detailType?: string): Schema {
  const status = (detail as { status?: unknown } | null)?.status;
  const known = EVENT_STATUSES.includes(status as EventStatus);
  return {
    version: '0',
    id: '0d1c6f3e-5a7b-4c2d-8e9f-1a2b3c4d5e6f',
    'detail-type': detailType ?? (known ? detailTypeFor(status as EventStatus) : DETAIL_TYPES.uploaded),
    source: 'library-upload-pipeline',
    account: '123456789012',
    time: '2026-03-02T10:00:42.500Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** Every keyword the schema uses, where a keyword can stand (not property or definition names). */
function keywordsOf(schema: unknown, found = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return found;
  for (const [keyword, value] of Object.entries(schema as Schema)) {
    found.add(keyword);
    if (keyword === 'properties' || keyword === 'definitions') {
      for (const sub of Object.values(value as Schema)) keywordsOf(sub, found);
    } else if (keyword === 'allOf' || keyword === 'anyOf') {
      for (const sub of value as unknown[]) keywordsOf(sub, found);
    } else if (keyword === 'not' || keyword === 'items' || keyword === 'additionalProperties') {
      keywordsOf(value, found);
    }
  }
  return found;
}

describe('the draft 4 rendering of the event schema', () => {
  it('declares draft 4 and uses only draft 4 keywords, with every $ref resolving', () => {
    // Act
    const keywords = keywordsOf(rendering);
    const refs = [...JSON.stringify(rendering).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)].map((m) => m[1]);

    // Assess
    expect(rendering['$schema']).toBe(DRAFT4);
    expect([...keywords].filter((k) => !(DRAFT4_KEYWORDS as readonly string[]).includes(k))).toEqual([]);
    expect(JSON.stringify(rendering)).not.toContain('$defs');
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(Object.keys(rendering['definitions'] as Schema)).toContain(ref);
  });

  it.each(detailCorpus((record) => buildUploadEvent(record, { stage: 'dev' }).detail).map((c) => [c.name, c.detail]))(
    'agrees with the normative schema on %s',
    (_name, detail) => {
      // Prepare
      const event = envelope(detail);

      // Act / Assess
      expect(draft4(event)).toBe(normative(detail).valid && validateLibraryUploadEvent(event, { strict: true }).valid);
    },
  );

  it.each([
    ['the detail-type of another status', (e: Schema): void => void (e['detail-type'] = DETAIL_TYPES.rejected), false],
    ['another source', (e: Schema): void => void (e['source'] = 'aws.s3'), false],
    ['no detail', (e: Schema): void => void delete e['detail'], false],
    ['a time that is no date-time', (e: Schema): void => void (e['time'] = 'now'), false],
    ['resources that are not strings', (e: Schema): void => void (e['resources'] = [1]), false],
    ['an envelope field EventBridge may add', (e: Schema): void => void (e['replay-name'] = 'r'), true],
  ] as const)('on an envelope with %s says %s, as the envelope check does', (_name, mutate, expected) => {
    // Prepare
    const event = envelope(buildUploadEvent(finalRecord('Active'), { stage: 'dev' }).detail);
    mutate(event);

    // Act / Assess
    expect(draft4(event)).toBe(expected);
    expect(validateLibraryUploadEvent(event, { strict: true }).valid).toBe(expected);
  });
});
