/**
 * The events the pipeline has published, in memory, for `events()` and `waitForEvents()`. The
 * EventBridge stand-in appends each event to events.jsonl; this log keeps the same envelopes so tests
 * and benchmarks can wait for particular objects without reading the file back.
 */
import type { EventEnvelope } from '../standins/eventbridge.ts';

/** What to wait for: every one of `keys`, at least `count` events, or both. */
export interface WaitForEventsOptions {
  /** Resolve once every one of these object keys has an event. */
  keys?: readonly string[];
  /** Or once at least this many events were published. */
  count?: number;
  timeoutMs?: number;
}

const keyOf = (event: EventEnvelope): string | undefined => (event.detail as { object?: { key?: string } }).object?.key;

/** Published events, and waiters woken by each new one. */
export class EventLog {
  private readonly events: EventEnvelope[] = [];
  private readonly waiters = new Set<() => void>();

  /** Records one event and wakes the waiters. */
  add(event: EventEnvelope): void {
    this.events.push(event);
    for (const wake of [...this.waiters]) wake();
  }

  /** Every event so far. */
  all(): EventEnvelope[] {
    return [...this.events];
  }

  /** Resolves with the events asked for (all of them when no keys are given); rejects after the timeout. */
  waitFor(wait: WaitForEventsOptions): Promise<EventEnvelope[]> {
    const timeoutMs = wait.timeoutMs ?? 60_000;
    if (this.satisfies(wait)) return Promise.resolve(this.select(wait));
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!this.satisfies(wait)) return;
        done();
        resolve(this.select(wait));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No events within ${timeoutMs} ms for: ${this.describeMissing(wait)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  private satisfies(wait: WaitForEventsOptions): boolean {
    if (wait.count !== undefined && this.events.length < wait.count) return false;
    return this.missingKeys(wait).length === 0;
  }

  private select(wait: WaitForEventsOptions): EventEnvelope[] {
    return wait.keys ? this.events.filter((e) => wait.keys?.includes(keyOf(e) ?? '')) : [...this.events];
  }

  private missingKeys(wait: WaitForEventsOptions): string[] {
    const seen = new Set(this.events.map(keyOf));
    return (wait.keys ?? []).filter((k) => !seen.has(k));
  }

  private describeMissing(wait: WaitForEventsOptions): string {
    const missing = this.missingKeys(wait);
    return missing.length > 0 ? missing.join(', ') : `${wait.count} events (got ${this.events.length})`;
  }
}
