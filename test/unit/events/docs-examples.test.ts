import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  API_ERROR_KEY_PATTERN,
  DETAIL_TYPES,
  ERROR_KEYS,
  EVENT_SOURCE,
  buildUploadEvent,
  detailTypeFor,
} from '../../../shared/events/index.ts';
import type { ErrorKeyInfo, UploadEventDetail } from '../../../shared/events/index.ts';
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
    const built = (['Active', 'VirusFound', 'Rejected', 'Replaced', 'Removed'] as const).map((status) =>
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

describe('the error-key table of docs/events.md', () => {
  // Rows like: | `virus-found` | `Library File Failed` | `VirusFound` | meaning | no |
  const section = doc.slice(doc.indexOf('## Error keys'), doc.indexOf('## Delivery and de-duplication'));
  const rows = [...section.matchAll(/^\| `([^`]+)` +\| `([^`]+)` +\| `([^`]+)` +\|[^|]+\| ([a-z-]+)/gm)].map((m) => ({
    key: m[1],
    detailType: m[2],
    status: m[3],
    retry: m[4],
  }));

  it('lists exactly the contract keys, with their detail-type, status and retry advice', () => {
    // Prepare
    const expected = Object.entries(ERROR_KEYS).flatMap(([detailType, keys]) =>
      Object.entries(keys as Record<string, ErrorKeyInfo>).flatMap(([key, info]) =>
        info.statuses.map((status) => ({ key, detailType, status, retry: info.retry })),
      ),
    );

    // Assess
    expect(rows.length).toBeGreaterThan(5);
    expect(rows).toEqual(expected);
  });

  it('gives the pattern of keys passed through from the API as the contract does', () => {
    expect(section).toContain(`\`${API_ERROR_KEY_PATTERN}\``);
  });
});
