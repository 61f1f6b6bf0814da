/**
 * The closed set of error keys: the schema enumerates exactly the contract's keys, and every key the
 * pipeline's code can record is in the set of the detail-type that carries it. The code's keys are read
 * from the source (every `errorKey: '…'` literal) and from the validators' own list, so a new key in the
 * code fails here until the contract, the schema and docs/events.md list it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  API_ERROR_KEY_PATTERN,
  DEFAULT_REASONS,
  DETAIL_TYPES,
  ERROR_KEYS,
  EVENT_STATUSES,
  STATUSES_BY_DETAIL_TYPE,
  buildUploadEvent,
  detailTypeFor,
  isErrorKeyOf,
  pipelineErrorKeys,
} from '../../../shared/events/index.ts';
import type { DetailTypeWithReason, ErrorKeyInfo } from '../../../shared/events/index.ts';
import { FINAL_STATUSES } from '../../../shared/record/upload-record.ts';
import { REJECTION_KEYS } from '../../../shared/files/validation.ts';
import { SCHEMA_PATH, detailValidator } from '../../support/event-schema.ts';
import { finalRecord } from '../../support/factories.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $defs: Record<string, { enum?: string[] }> };
const validate = detailValidator();

/** The directories whose keys end in each detail-type (poll decides failures, ingest refuses files). */
const DETAIL_TYPE_OF_DIRECTORY: Record<string, DetailTypeWithReason> = {
  poll: DETAIL_TYPES.failed,
  ingest: DETAIL_TYPES.rejected,
  upload: DETAIL_TYPES.rejected,
};

/** `outside-prefix` is an ignore reason (no record, no event), listed with the rejections by the validators. */
const NOT_RECORDED = new Set(['outside-prefix']);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every `errorKey: '…'` literal of the functions and shared/ (the event module aside), by directory. */
function recordedKeyLiterals(): Array<{ directory: string; file: string; key: string }> {
  return [...sourceFiles(join(ROOT, 'shared')), ...sourceFiles(join(ROOT, 'functions'))]
    .map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }))
    .filter(({ file }) => !file.startsWith('shared/events/'))
    .flatMap(({ file, text }) =>
      [...text.matchAll(/errorKey:\s*'([^']+)'/g)].map((m) => ({
        directory: file.split('/')[1] ?? '',
        file,
        key: m[1] ?? '',
      })),
    );
}

describe('the error keys', () => {
  it('are the keys the schema enumerates, per detail-type, with the same API form', () => {
    // Assess
    expect(schema.$defs['failedErrorKey']?.enum).toEqual(pipelineErrorKeys(DETAIL_TYPES.failed));
    expect(schema.$defs['rejectedErrorKey']?.enum).toEqual(pipelineErrorKeys(DETAIL_TYPES.rejected));
    expect((schema.$defs['apiErrorKey'] as { pattern?: string }).pattern).toBe(API_ERROR_KEY_PATTERN);
  });

  it('name only statuses their detail-type carries', () => {
    for (const [detailType, keys] of Object.entries(ERROR_KEYS)) {
      const statuses: readonly string[] = STATUSES_BY_DETAIL_TYPE[detailType as DetailTypeWithReason];
      for (const [key, info] of Object.entries(keys) as Array<[string, ErrorKeyInfo]>) {
        expect(
          info.statuses.every((s) => statuses.includes(s)),
          key,
        ).toBe(true);
      }
    }
  });

  it('include every key the source records, in the set of the detail-type it ends in', () => {
    // Act
    const literals = recordedKeyLiterals();

    // Assess: the scan sees the poll and ingest keys (it would pass vacuously otherwise)
    expect(new Set(literals.map((l) => l.directory))).toEqual(new Set(['poll', 'ingest']));
    for (const { directory, file, key } of literals) {
      const detailType = DETAIL_TYPE_OF_DIRECTORY[directory];
      expect(detailType, `${file}: ${key} is recorded where no detail-type is known`).toBeDefined();
      expect(pipelineErrorKeys(detailType as DetailTypeWithReason), `${file}: ${key}`).toContain(key);
    }
  });

  it("include every rejection the upload validators name (the ingest's keys by variable)", () => {
    for (const key of REJECTION_KEYS.filter((k) => !NOT_RECORDED.has(k))) {
      expect(pipelineErrorKeys(DETAIL_TYPES.rejected)).toContain(key);
    }
  });

  it('list no key the pipeline never records (each is in the source, a validator or a default reason)', () => {
    // Prepare
    const produced = new Set<string>([
      ...recordedKeyLiterals().map((l) => l.key),
      ...REJECTION_KEYS,
      ...Object.values(DEFAULT_REASONS).map((r) => r.errorKey),
    ]);

    // Assess
    for (const detailType of Object.keys(ERROR_KEYS) as DetailTypeWithReason[]) {
      for (const key of pipelineErrorKeys(detailType)) expect(produced, key).toContain(key);
    }
  });

  it('give each status a default reason from its own detail-type', () => {
    for (const [status, reason] of Object.entries(DEFAULT_REASONS)) {
      const detailType = detailTypeFor(status as keyof typeof DEFAULT_REASONS) as DetailTypeWithReason;
      expect(pipelineErrorKeys(detailType), status).toContain(reason.errorKey);
    }
  });

  it.each([
    ['api.file.storage.exceeded', true],
    ['api.json.field.invalid', true],
    ['api.', false],
    ['api.File.Exceeded', false],
    ['file.storage.exceeded', false],
  ])('takes "%s" as a passed-through API key: %s', (key, expected) => {
    // Act / Assess
    expect(isErrorKeyOf(DETAIL_TYPES.rejected, key)).toBe(expected);
    expect(validate(buildUploadEvent(finalRecord('Rejected', { errorKey: key }), { stage: 'dev' }).detail).valid).toBe(
      expected,
    );
  });

  it.each([
    ['Rejected', 'virus-found'],
    ['VirusFound', 'unsupported-type'],
    ['Failed', 'library.processing_failed'],
    ['TimedOut', 'pipeline.status_timeout'],
  ] as const)('makes a %s event with the key "%s" invalid', (status, key) => {
    // Act
    const { detail } = buildUploadEvent(finalRecord(status, { errorKey: key }), { stage: 'dev' });

    // Assess
    expect(validate(detail).valid).toBe(false);
    expect(isErrorKeyOf(detailTypeFor(status) as DetailTypeWithReason, key)).toBe(false);
  });
});

describe('the statuses', () => {
  it('are the upload record final statuses, each announced by exactly one detail-type', () => {
    // Assess
    expect([...EVENT_STATUSES]).toEqual([...FINAL_STATUSES]);
    const announced = Object.values(STATUSES_BY_DETAIL_TYPE).flat();
    expect([...announced].sort()).toEqual([...EVENT_STATUSES].sort());
    expect(Object.keys(STATUSES_BY_DETAIL_TYPE).sort()).toEqual(Object.values(DETAIL_TYPES).sort());
  });
});
