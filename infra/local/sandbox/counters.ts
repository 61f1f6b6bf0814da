/**
 * What happened, for tests, benchmarks and the chaos run: requests by operation and outcome, throttled
 * requests by scope, injected faults, uploads and their bytes.
 *
 * Outcomes are HTTP status codes as strings ("202", "403"…), or for requests that got no answer:
 * "reset" / "hang" (injected faults) and "aborted" (the client went away mid-request). Admin requests (/__sandbox/) and hosted-file downloads are not counted.
 */
import type { SandboxEndpoint } from './options.ts';
import type { ThrottleScope } from './rate-limits.ts';

/** Requests answered, by operation and HTTP status. */
export interface RequestCounters {
  /** requests[operation][outcome] = count. */
  requests: Partial<Record<SandboxEndpoint, Record<string, number>>>;
  totalRequests: number;
  throttled: Record<ThrottleScope, number>;
  faults: { hang: number; resetBeforeBody: number; serverError: number; resetAfterBody: number };
  uploads: {
    /** 202 answers, plus uploads stored before a reset-after-body fault dropped the answer. */
    accepted: number;
    /** Answered 4xx after the body was read (validation). */
    rejected: number;
    /** Bytes of accepted uploads. */
    bytes: number;
  };
}

/** Everything the sandbox counts: requests, throttles, uploads, duplicates. */
export class CounterSet {
  private state: RequestCounters = emptyCounters();

  count(endpoint: SandboxEndpoint, outcome: number | 'reset' | 'hang' | 'aborted'): void {
    const byOutcome = (this.state.requests[endpoint] ??= {});
    const key = String(outcome);
    byOutcome[key] = (byOutcome[key] ?? 0) + 1;
    this.state.totalRequests += 1;
  }

  throttled(scope: ThrottleScope): void {
    this.state.throttled[scope] += 1;
  }

  fault(kind: keyof RequestCounters['faults']): void {
    this.state.faults[kind] += 1;
  }

  uploadAccepted(bytes: number): void {
    this.state.uploads.accepted += 1;
    this.state.uploads.bytes += bytes;
  }

  uploadRejected(): void {
    this.state.uploads.rejected += 1;
  }

  snapshot(): RequestCounters {
    return structuredClone(this.state);
  }

  reset(): void {
    this.state = emptyCounters();
  }
}

function emptyCounters(): RequestCounters {
  return {
    requests: {},
    totalRequests: 0,
    throttled: { second: 0, day: 0 },
    faults: { hang: 0, resetBeforeBody: 0, serverError: 0, resetAfterBody: 0 },
    uploads: { accepted: 0, rejected: 0, bytes: 0 },
  };
}
