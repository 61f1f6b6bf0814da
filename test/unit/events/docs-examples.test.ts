import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_SOURCE, buildUploadEvent, detailTypeFor } from '../../../shared/events/index.ts';
import type { UploadEventDetail } from '../../../shared/events/index.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { finalRecord } from '../../support/factories.ts';

const validate = detailValidator();
const doc = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');

/** The example envelopes in docs/events.md (JSON blocks that carry a `detail`). */
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
  .map((match) => JSON.parse(match[1] ?? 'null') as Record<string, unknown>)
  .filter((block) => typeof block['detail-type'] === 'string' && 'detail' in block);

describe('docs/events.md', () => {
  it('shows one example per detail-type', () => {
    // Act / Assess
    expect(examples.map((e) => e['detail-type']).sort()).toEqual(Object.values(DETAIL_TYPES).sort());
  });

  it.each(examples.map((e) => [e['detail-type'] as string, e] as const))(
    'shows a %s example the schema accepts',
    (_type, example) => {
      // Prepare
      const detail = example['detail'] as UploadEventDetail;

      // Act
      const result = validate(detail);

      // Assess
      expect(result.errors).toEqual([]);
      expect(example['source']).toBe(EVENT_SOURCE);
      expect(example['detail-type']).toBe(detailTypeFor(detail.status));
      expect(example['time']).toBe(detail.timings.finalAt);
    },
  );

  it('shows exactly what the builder produces for the same records', () => {
    // Prepare
    const byType = new Map(examples.map((e) => [e['detail-type'], e['detail']]));

    // Act
    const built = (['Active', 'VirusFound', 'Rejected'] as const).map((status) =>
      buildUploadEvent(finalRecord(status), { stage: 'prod' }),
    );

    // Assess
    for (const event of built) expect(byType.get(event.detailType)).toEqual(event.detail);
  });
});

describe('README.md', () => {
  it('shows the same Library File Uploaded example as docs/events.md, so it stays builder-exact and schema-valid', () => {
    // Prepare
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const readmeExamples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map(
      (match) => JSON.parse(match[1] ?? 'null') as Record<string, unknown>,
    );

    // Act
    const uploaded = examples.find((e) => e['detail-type'] === DETAIL_TYPES.uploaded);

    // Assess
    expect(readmeExamples).toHaveLength(1);
    expect(readmeExamples[0]).toEqual(uploaded);
  });
});
