/**
 * docs/events.md and the README as a consumer team reads them, checked against events the pipeline
 * really produced: the prod stage's pipeline runs locally (emulators, sandbox, the three handlers),
 * files of every outcome family go through it, and then
 * - every event (as the stand-in delivered it and as `.local/events.jsonl` holds it) is valid,
 *   and each line of the file is exactly the envelope a target receives;
 * - every event pattern documented matches some real events and not others, with a matcher that
 *   follows EventBridge's rules (prefix, anything-but, exists, numeric, nesting);
 * - every documented example event is valid and carries only keys the real events carry.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, type FilterPattern } from '../../../infra/local/runner/event-sources/filter-criteria.ts';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';
import type { EventEnvelope } from '../../../infra/local/standins/eventbridge.ts';
import { DETAIL_TYPES } from '../../../shared/events/index.ts';
import { validateLibraryUploadEvent } from '../../../shared/events/validate.ts';
import { infectedPdfBytes, pngBytes } from '../../e2e/fixtures.ts';
import { documentedJson } from './docs-json.ts';

const FILES = [
  { drop: 'Events/2026/poster.png', content: pngBytes(320, 200), status: 'Active' },
  { drop: 'photo.png', content: pngBytes(64, 64), status: 'Active' },
  { drop: 'Events/2026/flyer.pdf', content: infectedPdfBytes(), status: 'VirusFound' },
  { drop: 'Events/2026/notes.txt', content: Buffer.from('just text\n'), status: 'Rejected' },
  { drop: 'Events/2026/fake.png', content: Buffer.from('not a PNG at all\n'), status: 'Rejected' },
] as const;
/**
 * Following the bucket (dev's sync policy: replace + trash; prod keeps deleted keys' files): an overwrite
 * ends the first version Replaced, a deletion ends the key Removed.
 */
const SYNC_FILES = { overwritten: 'Events/2026/banner.png', deleted: 'Events/2026/old-flyer.png' } as const;
const ENVELOPE_KEYS = ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'];

let pipeline: LocalPipeline | undefined;
let syncPipeline: LocalPipeline | undefined;
let syncEvents: EventEnvelope[] = [];
let workDir: string;
let events: EventEnvelope[] = [];
let lines: unknown[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'events-docs-'));
  pipeline = await startLocalPipeline({
    stage: 'prod',
    fast: true,
    stateDir: join(workDir, 'state'),
    dropDir: join(workDir, 'drop'),
    library: 'sandbox',
    shutdownGraceMs: 3000,
  });
  const keys: string[] = [];
  for (const file of FILES) keys.push((await pipeline.dropFile(file.drop, file.content)).key);
  events = await pipeline.waitForEvents({ keys, timeoutMs: 45_000 });
  lines = (await readFile(pipeline.paths.eventsFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  syncEvents = await followTheBucket();
});

/** Runs the dev pipeline over an overwrite and a deletion; returns their Replaced and Removed events. */
async function followTheBucket(): Promise<EventEnvelope[]> {
  syncPipeline = await startLocalPipeline({
    stage: 'dev',
    fast: true,
    stateDir: join(workDir, 'sync-state'),
    dropDir: join(workDir, 'sync-drop'),
    library: 'sandbox',
    shutdownGraceMs: 3000,
  });
  const p = syncPipeline;
  const first = await p.dropFile(SYNC_FILES.overwritten, pngBytes(100, 80));
  const doomed = await p.dropFile(SYNC_FILES.deleted, pngBytes(90, 70));
  await p.waitForEvents({ keys: [first.key, doomed.key], timeoutMs: 45_000 });
  await p.dropFile(SYNC_FILES.overwritten, pngBytes(120, 90));
  await rm(doomed.path);
  const wanted = [DETAIL_TYPES.replaced, DETAIL_TYPES.removed] as string[];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = p.events().filter((e) => wanted.includes(e['detail-type']));
    if (found.length >= 2) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `no Replaced and Removed events within 60 s: ${JSON.stringify(p.events().map((e) => e['detail-type']))}`,
  );
}

afterAll(async () => {
  await syncPipeline?.stop();
  await pipeline?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const keyOf = (event: EventEnvelope): string => (event.detail as { object: { key: string } }).object.key;

describe('the real events', () => {
  it('cover every detail-type, each file once, each valid against the contract', () => {
    // Assess
    expect(events.map(keyOf).sort()).toEqual(FILES.map((f) => `uploads/${f.drop}`).sort());
    const detailTypes = [...events, ...syncEvents].map((e) => e['detail-type']);
    expect(new Set(detailTypes)).toEqual(new Set(Object.values(DETAIL_TYPES)));
    for (const file of FILES) {
      const event = events.find((e) => keyOf(e) === `uploads/${file.drop}`);
      expect(event?.detail['status'], file.drop).toBe(file.status);
      expect(validateLibraryUploadEvent(event, { strict: true }).errors, file.drop).toEqual([]);
    }
    expect(syncEvents.map((e) => [e['detail-type'], keyOf(e)]).sort()).toEqual(
      [
        [DETAIL_TYPES.replaced, `uploads/${SYNC_FILES.overwritten}`],
        [DETAIL_TYPES.removed, `uploads/${SYNC_FILES.deleted}`],
      ].sort(),
    );
    for (const event of syncEvents) expect(validateLibraryUploadEvent(event, { strict: true }).errors).toEqual([]);
    expect(events.map((e) => (e.detail['reason'] as { errorKey?: string } | undefined)?.errorKey).sort()).toEqual(
      ['content-mismatch', 'unsupported-type', 'virus-found', undefined, undefined].sort(),
    );
  });

  it('are in .local/events.jsonl exactly as a target receives them, nothing added', () => {
    // Assess
    expect(lines).toEqual(events);
    for (const line of lines) expect(Object.keys(line as object).sort()).toEqual(ENVELOPE_KEYS);
  });
});

const documents = ['docs/events.md', 'README.md'].map((path) => ({
  path,
  blocks: documentedJson(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')),
}));
const patterns = documents.flatMap((d) => d.blocks.patterns.map((p, i) => [`${d.path} pattern ${i + 1}`, p] as const));
const examples = documents.flatMap((d) => d.blocks.examples.map((e, i) => [`${d.path} example ${i + 1}`, e] as const));

describe('the documented event patterns', () => {
  it('are there to check (docs/events.md shows several)', () => {
    expect(patterns.length).toBeGreaterThanOrEqual(5);
  });

  it.each(patterns)('%s matches some real events and not all of them', (_name, pattern) => {
    // Act
    const matched = events.filter((event) => matchesPattern(pattern as FilterPattern, event));

    // Assess
    expect(matched.length).toBeGreaterThan(0);
    expect(matched.length).toBeLessThan(events.length);
  });

  it('include the prefix rule on the uploads prefix, matching the Events/ images only', () => {
    // Prepare
    const prefixRule = patterns.find(([, p]) => JSON.stringify(p).includes('"prefix":"uploads/Events/"'));

    // Act
    const matched = events.filter((event) => matchesPattern(prefixRule?.[1] as FilterPattern, event));

    // Assess
    expect(matched.map(keyOf)).toEqual(['uploads/Events/2026/poster.png']);
  });
});

describe('the documented example events', () => {
  it.each(examples)('%s is valid and uses only the fields real events of its detail-type use', (_name, example) => {
    // Prepare
    const real = [...events, ...syncEvents].find(
      (e) => e['detail-type'] === example['detail-type'] && keyOf(e).startsWith('uploads/Events/'),
    );
    expect(real, `a real ${example['detail-type']} event`).toBeDefined();

    // Act / Assess
    expect(validateLibraryUploadEvent(example, { strict: true }).errors).toEqual([]);
    expect(Object.keys(example as object).sort()).toEqual(ENVELOPE_KEYS);
    expect(Object.keys((example as unknown as EventEnvelope).detail).sort()).toEqual(
      Object.keys(real?.detail ?? {}).sort(),
    );
    expect((example as unknown as EventEnvelope).detail['object']).toMatchObject({
      key: expect.stringMatching(/^uploads\//),
    });
  });
});
