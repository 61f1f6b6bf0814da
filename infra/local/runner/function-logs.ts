/**
 * Where the functions' log lines go in local mode. On AWS, whatever a function writes to stdout/stderr
 * lands in its CloudWatch log group (Powertools' JSON log lines and the metrics' EMF blobs alike). Here
 * the three handlers share this process's stdout with the progress display, so the JSON lines they
 * write are diverted to a file (`.local/logs/functions.jsonl`): one JSON object per line, as CloudWatch
 * would hold them. ERROR lines are also summarised on the terminal, so a failure is not missed.
 *
 * Only lines that are JSON objects are diverted; anything else passes through untouched.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The capture in effect; `restore()` gives stdout back. */
export interface FunctionLogCapture {
  /** The original stdout writer (the display writes with it). */
  writeOut(text: string): void;
  restore(): void;
}

type Write = typeof process.stdout.write;

/** Sends the functions' JSON log lines to a file, as CloudWatch would hold them, and shows ERROR lines. */
export function captureFunctionLogs(options: {
  file: string;
  onError?: (summary: string) => void;
}): FunctionLogCapture {
  mkdirSync(dirname(options.file), { recursive: true });
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write) as [Write, Write];
  const buffers = ['', ''];

  const divert = (index: 0 | 1, line: string): string | undefined => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return line;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      return line;
    }
    try {
      appendFileSync(options.file, `${trimmed}\n`);
    } catch {
      // A full disk must not take the pipeline down.
    }
    if (String(parsed['level'] ?? '').toUpperCase() === 'ERROR' && options.onError) {
      const fn = typeof parsed['function_name'] === 'string' ? parsed['function_name'] : 'function';
      const error = parsed['error'] as { message?: unknown } | undefined;
      options.onError(
        `${fn}: ${String(parsed['message'] ?? '')}${error?.message ? ` (${String(error.message)})` : ''}`,
      );
    }
    void index;
    return undefined;
  };

  streams.forEach((stream, index) => {
    const original = originals[index as 0 | 1];
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
      buffers[index] += text;
      let passThrough = '';
      let newline = buffers[index]!.indexOf('\n');
      while (newline >= 0) {
        const line = buffers[index]!.slice(0, newline);
        buffers[index] = buffers[index]!.slice(newline + 1);
        const kept = divert(index as 0 | 1, line);
        if (kept !== undefined) passThrough += `${kept}\n`;
        newline = buffers[index]!.indexOf('\n');
      }
      // A partial line that does not look like JSON is written at once (prompts, progress output).
      if (buffers[index] && !buffers[index]!.trimStart().startsWith('{')) {
        passThrough += buffers[index];
        buffers[index] = '';
      }
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (passThrough.length === 0) {
        callback?.();
        return true;
      }
      return (original as (this: NodeJS.WriteStream, chunk: string, cb?: () => void) => boolean).call(
        this,
        passThrough,
        callback,
      );
    } as Write;
  });

  return {
    writeOut: (text) => {
      originals[0].call(process.stdout, text);
    },
    restore() {
      streams.forEach((stream, index) => {
        stream.write = originals[index as 0 | 1];
      });
    },
  };
}
