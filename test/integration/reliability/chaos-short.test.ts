/**
 * The short fault run inside `npm test`: the same fault mix as `npm run chaos` (5xx 10 %, hangs 5 %,
 * resets after the body 3 %, throttle bursts, 10 % of notifications twice, overwrites, deletions and renames
 * of some keys, a file someone else put in the library) over 30 files, with one SIGKILL of the workers. The kill comes once every file is past ingest, while status checks and
 * publishing are in flight: a kill during uploads costs the ingest queue's visibility timeout (over a
 * minute, by design) and is what the full run (`npm run chaos`, two kills at 30 % and 65 %) covers.
 * Figures: docs/reliability.md.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runChaos, verdict, type ChaosReport } from '../../chaos/chaos-run.ts';

describe('fault run (short)', () => {
  it('keeps every file under API faults, duplicate notifications, overwrites, deletions, renames and a SIGKILL, with one upload each, the library following the bucket and empty DLQs', async () => {
    // Prepare
    const files = 30;
    // Act
    const report: ChaosReport = await runChaos({
      files,
      seed: 7,
      kills: 1,
      killWhen: 'after-ingest',
      settle: 'final',
      throttleEveryMs: 6_000,
      // Shorter than the full run's so the killed worker's status checks come back within the test.
      ingestTimeoutSeconds: 15,
      pollTimeoutSeconds: 6,
      libraryTimeoutMs: 2_000,
      deadlineMs: 150_000,
    });
    console.info(`[figures]\n${formatReport(report)}`);
    // Assess
    expect(report.kills).toHaveLength(1);
    expect(report.workerStarts).toBe(2);
    expect(report.lost).toEqual([]);
    expect(report.unfinished).toEqual([]);
    expect(report.mutations).toEqual({ overwrite: 3, delete: 2, rename: 2 });
    expect(report.versionsWritten).toBe(files + 3 + 2);
    expect(report.finalRecords).toBe(report.versionsWritten);
    expect(report.distinctEvents).toBe(report.expectedEvents);
    expect(report.sync).toEqual({
      liveWithoutItsFile: [],
      liveWithExtraFiles: [],
      goneWithFile: [],
      foreignNotLive: [],
      trashedNotOurs: [],
    });
    expect(report.foreignFileIds).toHaveLength(1);
    expect(report.libraryUploads).toBe(report.filesAccepted);
    expect(report.duplicateUploads).toBe(0);
    expect(report.sandboxDuplicatesByNameAndSize).toBe(0);
    expect(report.unexpected).toEqual([]);
    expect(report.deadLetters).toEqual([]);
    expect(report.credentialLeaks).toEqual([]);
    expect(report.faults.serverError + report.faults.hang + report.faults.resetAfterBody).toBeGreaterThan(0);
    expect(verdict(report)).toEqual([]);
  }, 240_000);
});
