/**
 * Writes docs/benchmarks.md from the figures' results.
 *
 * The document ends with a machine-readable block (an HTML comment holding JSON) with every figure's
 * result; a run with `--only <figure>` reads it back, replaces that one figure and rewrites the whole
 * document, so a partial run never drops the other figures (each section keeps its own date and mode).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine.ts';
import { markdownTable, mb } from './stats.ts';
import { FIGURE_IDS, type FigureId, type FigureResult } from './types.ts';

export interface RunInfo {
  machine: MachineInfo;
  startedAt: string;
  command: string;
  quick: boolean;
  durationMs: number;
}

interface DataBlock {
  version: 1;
  runs: Partial<Record<FigureId, RunInfo>>;
  figures: Partial<Record<FigureId, FigureResult>>;
}

const DATA_START = '<!-- bench-data';
const DATA_END = 'bench-data -->';

export function readDataBlock(path: string): DataBlock {
  if (!existsSync(path)) return { version: 1, runs: {}, figures: {} };
  const text = readFileSync(path, 'utf8');
  const start = text.lastIndexOf(DATA_START);
  const end = text.lastIndexOf(DATA_END);
  if (start < 0 || end < start) return { version: 1, runs: {}, figures: {} };
  try {
    return JSON.parse(text.slice(start + DATA_START.length, end)) as DataBlock;
  } catch {
    return { version: 1, runs: {}, figures: {} };
  }
}

/** Merges the new results into what the document held and rewrites it. */
export function writeReport(path: string, run: RunInfo, results: readonly FigureResult[], preamble: string): void {
  const data = readDataBlock(path);
  for (const result of results) {
    data.figures[result.id] = result;
    data.runs[result.id] = run;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(data, preamble));
}

function machineLine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}, ${m.arch}), ${mb(m.memoryBytes, 0)} memory (${mb(m.freeMemoryBytes, 0)} free at start), load average ${m.loadAverage1m.toFixed(2)} at start, Node.js ${m.node}, ${m.os}`;
}

export function renderReport(data: DataBlock, preamble: string): string {
  const out: string[] = [];
  out.push("# Benchmarks: how close the pipeline gets to the API key's limits", '');
  out.push(preamble.trim(), '');

  const runs = new Map<string, { run: RunInfo; figures: FigureId[] }>();
  for (const id of FIGURE_IDS) {
    const run = data.runs[id];
    if (run === undefined) continue;
    const key = `${run.startedAt}`;
    const entry = runs.get(key) ?? { run, figures: [] };
    entry.figures.push(id);
    runs.set(key, entry);
  }
  out.push('## Runs behind these figures', '');
  for (const { run, figures } of runs.values()) {
    out.push(
      `- **${run.startedAt.slice(0, 16).replace('T', ' ')} UTC**, \`${run.command}\`${run.quick ? ' (quick mode: smaller N)' : ''}, ${(run.durationMs / 60_000).toFixed(1)} min in total; figures: ${figures.join(', ')}.`,
      `  Machine: ${machineLine(run.machine)}.`,
    );
  }
  out.push('');

  out.push('## Summary', '');
  const rows = FIGURE_IDS.map((id, index) => {
    const f = data.figures[id];
    if (f === undefined) return [String(index + 1), id, 'not run yet', '—', '—', '—', '—'];
    const met =
      f.met === undefined ? (f.status === 'measured' ? 'no target' : 'not measured') : f.met ? 'met' : '**missed**';
    return [String(index + 1), f.title, f.measured, f.baseline, f.ratio, f.target, met];
  });
  out.push(markdownTable(['#', 'figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'reached?'], rows), '');

  FIGURE_IDS.forEach((id, index) => {
    const f = data.figures[id];
    out.push(`## ${index + 1}. ${f?.title ?? id}`, '');
    if (f === undefined) {
      out.push('Not run yet.', '');
      return;
    }
    const verdict =
      f.met === undefined
        ? f.status === 'measured'
          ? 'no target to judge'
          : 'not measured'
        : f.met
          ? 'met'
          : 'missed';
    out.push(`**${f.headline}** — target ${f.target}: ${verdict}.`, '');
    out.push(
      `_Measured ${f.measuredAt.slice(0, 16).replace('T', ' ')} UTC${f.mode === 'quick' ? ', quick mode' : ''}, in ${(f.durationMs / 1000).toFixed(0)} s._`,
      '',
    );
    if (f.settings.length > 0) {
      out.push('Settings:', '', ...f.settings.map((s) => `- ${s}`), '');
    }
    for (const detail of f.details) out.push(detail, '');
    if (f.notes.length > 0) {
      out.push('Findings:', '', ...f.notes.map((n) => `- ${n}`), '');
    }
  });

  out.push(`${DATA_START}\n${JSON.stringify(data)}\n${DATA_END}`, '');
  return out.join('\n');
}
