/**
 * The package's validator gives the JSON Schema's verdicts (ajv on the normative schema) in strict mode,
 * and the consumer's lenient view otherwise; the envelope check ties the detail-type to the status.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, buildUploadEvent } from '../../../shared/events/index.ts';
import {
  isLibraryUploadEvent,
  validateLibraryUploadEvent,
  validateUploadEventDetail,
} from '../../../shared/events/validate.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { detailCorpus, finalRecord } from '../../support/factories.ts';

const ajv = detailValidator();
const corpus = detailCorpus((record) => buildUploadEvent(record, { stage: 'dev' }).detail);

function envelope(detail: unknown, detailType: string = DETAIL_TYPES.uploaded): Record<string, unknown> {
  return {
    version: '0',
    id: '0d1c6f3e-5a7b-4c2d-8e9f-1a2b3c4d5e6f',
    'detail-type': detailType,
    source: 'library-upload-pipeline',
    account: '123456789012',
    time: '2026-03-02T10:00:42.500Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

describe('validateUploadEventDetail', () => {
  it('sees both valid and invalid details in the corpus (so the comparison below can fail)', () => {
    // Act
    const verdicts = corpus.map(({ detail }) => ajv(detail).valid);

    // Assess
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(20);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(100);
  });

  it.each(corpus.map((c) => [c.name, c.detail] as const))('strict: agrees with the JSON Schema on %s', (_n, detail) => {
    // Act
    const result = validateUploadEventDetail(detail, { strict: true });

    // Assess
    expect(result.valid).toBe(ajv(detail).valid);
  });

  it('lenient: accepts an error key added later (additive), but not an empty one', () => {
    // Prepare
    const { detail } = buildUploadEvent(finalRecord('Failed', { errorKey: 'thumbnail-failed' }), { stage: 'dev' });

    // Act / Assess
    expect(validateUploadEventDetail(detail).valid).toBe(true);
    expect(validateUploadEventDetail(detail, { strict: true }).valid).toBe(false);
    expect(validateUploadEventDetail({ ...detail, reason: { errorKey: '', message: 'x' } }).valid).toBe(false);
  });

  it('lenient: ignores a field it does not know, and still refuses a wrong known one', () => {
    // Prepare
    const detail = { ...buildUploadEvent(finalRecord('Active'), { stage: 'dev' }).detail, retryOf: 'x' };

    // Act / Assess
    expect(validateUploadEventDetail(detail).valid).toBe(true);
    expect(validateUploadEventDetail({ ...detail, attempts: -1 })).toEqual({
      valid: false,
      errors: [expect.stringContaining('/attempts')],
    });
  });
});

describe('validateLibraryUploadEvent', () => {
  it('accepts a built event in its envelope, with the detail-type of its status', () => {
    // Prepare
    const { detail, detailType } = buildUploadEvent(finalRecord('TimedOut'), { stage: 'dev' });

    // Act / Assess
    expect(validateLibraryUploadEvent(envelope(detail, detailType)).errors).toEqual([]);
    expect(isLibraryUploadEvent(envelope(detail, detailType))).toBe(true);
  });

  it.each([
    [
      'a detail-type that does not announce the status',
      (e: Record<string, unknown>) => (e['detail-type'] = DETAIL_TYPES.failed),
    ],
    ['another source', (e: Record<string, unknown>) => (e['source'] = 'aws.s3')],
    ['an unknown detail-type', (e: Record<string, unknown>) => (e['detail-type'] = 'Library File Archived')],
    ['no detail', (e: Record<string, unknown>) => delete e['detail']],
    ['an invalid detail', (e: Record<string, unknown>) => ((e['detail'] as Record<string, unknown>)['eventId'] = 'x')],
  ])('refuses an event with %s', (_name, mutate) => {
    // Prepare
    const event = envelope(structuredClone(buildUploadEvent(finalRecord('Active'), { stage: 'dev' }).detail));
    mutate(event);

    // Act / Assess
    expect(isLibraryUploadEvent(event)).toBe(false);
    expect(validateLibraryUploadEvent(event).errors.length).toBeGreaterThan(0);
  });
});
