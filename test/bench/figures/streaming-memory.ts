/**
 * Figure 3, streaming memory: peak RSS of the ingest path (S3 GetObject from fauxqs → the library
 * client's multipart upload → sandbox) for a 1 MB and a 200 MB object, each copy in a fresh process
 * running the esbuild bundle of the ingest child. Target: peak RSS(200 MB) / peak RSS(1 MB) ≤ 1.3.
 *
 * Measured under three settings: Node's defaults; a small young generation (`--max-semi-space-size=1`);
 * and as deployed, with the ingest function's NODE_OPTIONS, which expose `gc` so the client's body asks
 * for a minor GC every 8 MB (shared/library/young-garbage.ts). The target is judged as deployed.
 * The client-only benchmark (client-memory.ts, `shared` vs `fresh` producers) runs beside it.
 */
import { runClientMemoryBenchmark } from '../client-memory.ts';
import type { IngestChildResult } from '../ingest-child.ts';
import { INGEST_DEPLOYED_FLAGS } from '../lib/deployed-flags.ts';
import { startIngestFixture } from '../lib/ingest-fixture.ts';
import { fixed, MB, markdownTable, mb, median } from '../lib/stats.ts';
import type { Figure } from '../lib/types.ts';

const DEPLOYED_FLAGS = [...INGEST_DEPLOYED_FLAGS];

interface Variant {
  name: string;
  description: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

const VARIANTS: Variant[] = [
  { name: 'node-defaults', description: 'Node.js defaults (no flags)', nodeArgs: [], env: {} },
  {
    name: 'semi-space-1',
    description: '`--max-semi-space-size=1` (1 MB young-generation semi-space)',
    nodeArgs: ['--max-semi-space-size=1'],
    env: {},
  },
  {
    name: 'as-deployed',
    description: `as deployed: the ingest function's NODE_OPTIONS (\`${DEPLOYED_FLAGS.join(' ')}\`): a minor GC every 8 MB of body`,
    nodeArgs: DEPLOYED_FLAGS,
    env: {},
  },
];

const TARGET = 1.3;

export const streamingMemory: Figure = {
  id: 'streaming-memory',
  title: 'Streaming memory (ingest path)',
  needsPipeline: false,
  async run({ quick, log }) {
    const small = 1 * MB;
    const large = 200 * MB;
    const repeats = quick ? 1 : 3;
    const fixture = await startIngestFixture([small, large]);
    const rows: string[][] = [];
    const data: Record<string, { small: IngestChildResult[]; large: IngestChildResult[]; ratio: number }> = {};
    try {
      for (const variant of VARIANTS) {
        const runs = { small: [] as IngestChildResult[], large: [] as IngestChildResult[] };
        for (let run = 1; run <= repeats; run++) {
          for (const [label, size] of [
            ['small', small],
            ['large', large],
          ] as const) {
            const result = await fixture.runIngest(size, variant.nodeArgs, variant.env);
            runs[label].push(result);
            log(
              `  ${variant.name} ${size / MB} MB run ${run}/${repeats}: peak RSS ${mb(result.peakRssBytes)}, arrayBuffers ${mb(result.peakArrayBuffersBytes)}, ${result.durationMs.toFixed(0)} ms`,
            );
          }
        }
        const peak = (list: IngestChildResult[]) => median(list.map((r) => r.peakRssBytes));
        const ratio = peak(runs.large) / peak(runs.small);
        data[variant.name] = { ...runs, ratio };
        rows.push([
          variant.description,
          `${mb(peak(runs.small))} (${runs.small.map((r) => (r.peakRssBytes / MB).toFixed(0)).join(', ')})`,
          `${mb(peak(runs.large))} (${runs.large.map((r) => (r.peakRssBytes / MB).toFixed(0)).join(', ')})`,
          fixed(ratio, 2),
          mb(median(runs.large.map((r) => r.peakArrayBuffersBytes))),
          mb(median(runs.small.map((r) => r.rssBeforeBytes))),
          `${fixed(large / MB / (median(runs.large.map((r) => r.durationMs)) / 1000), 0)} MB/s`,
        ]);
      }
    } finally {
      await fixture.close();
    }

    log('  client-only benchmark (client-memory.ts)');
    const client = await runClientMemoryBenchmark({ repeats, log });
    const clientRows = client.producers.map((p) => [
      p.producer === 'shared'
        ? 'client only, no allocation per chunk (`shared`)'
        : 'client only, a new 64 KiB Buffer per chunk (`fresh`, like S3)',
      mb(p.sizes[0]?.medianPeakRssBytes ?? Number.NaN),
      mb(p.sizes.at(-1)?.medianPeakRssBytes ?? Number.NaN),
      fixed(p.ratio, 2),
      mb(p.sizes.at(-1)?.medianPeakArrayBuffersBytes ?? Number.NaN),
    ]);

    const defaults = data['node-defaults']?.ratio ?? Number.NaN;
    const semi = data['semi-space-1']?.ratio ?? Number.NaN;
    const judged = data['as-deployed']?.ratio ?? Number.NaN;
    const met = judged <= TARGET;
    const baselineSmall = median(data['as-deployed']?.small.map((r) => r.peakRssBytes) ?? []);
    const largePeak = median(data['as-deployed']?.large.map((r) => r.peakRssBytes) ?? []);
    const defaultsGrowth =
      median(data['node-defaults']?.large.map((r) => r.peakRssBytes) ?? []) -
      median(data['node-defaults']?.small.map((r) => r.peakRssBytes) ?? []);
    return {
      status: 'measured',
      target: `peak RSS ratio 200 MB / 1 MB ≤ ${TARGET}`,
      headline: `peak RSS ${mb(largePeak)} for 200 MB vs ${mb(baselineSmall)} for 1 MB as deployed: ratio ${fixed(judged)} (Node defaults ${fixed(defaults)}, --max-semi-space-size=1 ${fixed(semi)})`,
      measured: `${mb(largePeak)} peak RSS (200 MB object, as deployed)`,
      baseline: `${mb(baselineSmall)} (1 MB object, as deployed)`,
      ratio: `${fixed(judged)} as deployed; ${fixed(defaults)} (Node defaults); ${fixed(semi)} (semi-space 1 MB)`,
      met,
      settings: [
        `Objects of 1 MB and 200 MB in fauxqs; each copy in a fresh \`node\` process running the esbuild bundle (stack options) of test/bench/ingest-child.ts: \`S3ObjectReader.open()\` (GetObject with If-Match, as ingest does) → \`library.uploadFile()\` → sandbox (\`keepBytes: false\`).`,
        `Peak RSS = \`VmHWM\` from /proc/self/status of that process (its own high-water mark); medians of ${repeats} run(s) per size and setting.`,
        'The sandbox runs in the benchmark process and fauxqs in its own: neither is measured.',
      ],
      details: [
        markdownTable(
          [
            'setting',
            'peak RSS 1 MB (runs)',
            'peak RSS 200 MB (runs)',
            'ratio',
            'peak arrayBuffers 200 MB',
            'RSS before the copy',
            'throughput 200 MB',
          ],
          rows,
        ),
        'The client alone (test/bench/client-memory.ts, a generated 64 KiB-chunk stream instead of S3, run under tsx):',
        markdownTable(
          ['producer', 'peak RSS 1 MB', 'peak RSS 200 MB', 'ratio', 'peak arrayBuffers 200 MB'],
          clientRows,
        ),
      ],
      notes: [
        `Nothing in the ingest path holds the body: peak \`arrayBuffers\` stays around ${mb(median(data['node-defaults']?.large.map((r) => r.peakArrayBuffersBytes) ?? []), 0)} for a 200 MB object (the 1 MB copy: ${mb(median(data['node-defaults']?.small.map((r) => r.peakArrayBuffersBytes) ?? []), 0)}), and it does not grow with the size; the client alone with a non-allocating producer has ratio ${fixed(client.producers.find((p) => p.producer === 'shared')?.ratio ?? Number.NaN)}.`,
        "The growth is garbage waiting for the collector: every chunk the S3 response delivers is a new Buffer whose memory lives outside the V8 heap. Those chunks die young, but a young-generation collection only runs when the *heap* fills its semi-space, and streaming allocates little on the heap, so tens of MB of dead external chunks pile up before V8's external-memory pressure forces a collection. The same happens with the client-only `fresh` producer, so no client or ingest change (highWaterMark, not holding chunks — already the case) can remove it: the bytes are already garbage.",
        `Bounding it: a 1 MB semi-space (\`--max-semi-space-size=1\`) makes young collections frequent: ratio ${fixed(semi)}. As deployed, the ingest function's NODE_OPTIONS add \`--expose-gc\` and the client's size guard asks for a minor collection every 8 MB of body (shared/library/young-garbage.ts; without an exposed \`gc\` it does nothing, which is the defaults row): ratio ${fixed(judged)}, target ${met ? 'met' : 'missed'}. A minor collection of a 1-16 MB young generation costs well under a millisecond; the throughput column shows the price, if any.`,
        `In absolute terms the growth with Node's defaults is about ${mb(defaultsGrowth, 0)} above the 1 MB copy whatever the size, far below the ingest function's 512 MB, and at the account's real upload limit (5 MB) it does not appear at all: the collections matter for a larger limit or a smaller function.`,
        'Measurement trap found on the way: `process.resourceUsage().maxRSS` (used at first, and by the client benchmark until this run) is Linux\'s `ru_maxrss`, which survives `execve` and so includes the parent\'s memory at fork time. With a benchmark parent holding a 200 MB buffer every child "peaked" at ≈ 220 MB, even for 1 MB. Both children now read `VmHWM` (test/bench/lib/peak-rss.ts).',
        "Lambda's own Node.js bootstrap passes heap-size flags derived from the configured memory; their exact values are not documented in this repository, so the Lambda figure may differ from all three rows.",
      ],
      data: { variants: data, client },
    };
  },
};
