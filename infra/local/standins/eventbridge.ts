/**
 * A wire-level stand-in for Amazon EventBridge `PutEvents`, for tests and local mode only.
 *
 * It speaks AWS JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`) on 127.0.0.1, so the real
 * `@aws-sdk/client-eventbridge` `PutEventsCommand` talks to it unchanged. It checks entries the way
 * EventBridge does where the pipeline could get it wrong, records every accepted event with its bus
 * for inspection, and can be told to fail, so the publisher's "retry only the failed entries"
 * path can be tested:
 *
 *  - more than 10 entries, or more than 256 KiB in total → 400 ValidationException (whole request);
 *  - an entry without Source / DetailType / Detail → that entry fails with `InvalidArgument`;
 *  - a Detail that is not a JSON object → that entry fails with `MalformedDetail`;
 *  - with `knownBuses`, an entry for another bus fails with `ResourceNotFoundException`;
 *  - `failNextEntries(n)` → the next n otherwise valid entries fail with `InternalFailure`;
 *  - `failNextRequests(n)` → the next n requests are answered 500 (`InternalException`). Note that
 *    SDK v3 retries a 500 by itself (3 attempts by default) before the caller sees it.
 *
 * Entry size is computed as EventBridge documents it: 14 bytes for Time if present, plus the UTF-8
 * bytes of Source, DetailType, Detail and each Resource.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AwsJsonError, startJsonProtocolServer } from './json-protocol.ts';

/** PutEvents takes at most this many entries. */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** PutEvents takes at most this many bytes of entries. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** An event EventBridge accepted, as the stand-in recorded it. */
export interface RecordedEvent {
  id: string;
  /** The bus name (an ARN given as EventBusName is reduced to its name). */
  busName: string;
  /** EventBusName exactly as sent ("default" when absent). */
  eventBusName: string;
  source: string;
  detailType: string;
  /** Detail, parsed. */
  detail: Record<string, unknown>;
  /** Detail exactly as sent. */
  rawDetail: string;
  resources: string[];
  /** ISO 8601: the entry's Time, or when the stand-in received it. */
  time: string;
  traceHeader?: string;
  region: string;
  account: string;
}

/** The envelope EventBridge delivers to targets, exactly (one line of the JSONL file). */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** The envelope a target would receive for a recorded event. */
export function toEnvelope(event: RecordedEvent): EventEnvelope {
  return {
    version: '0',
    id: event.id,
    'detail-type': event.detailType,
    source: event.source,
    account: event.account,
    time: event.time,
    region: event.region,
    resources: event.resources,
    detail: event.detail,
  };
}

/** Port, the events file, which buses exist, and the region and account stamped on events. */
export interface EventBridgeStandInOptions {
  /** Fixed port; by default a free one. Always on 127.0.0.1. */
  port?: number;
  /** Append every accepted event as one JSON line (an EventEnvelope) to this file. */
  eventsFile?: string;
  /** When given, only these bus names (or ARNs ending in /name) exist. */
  knownBuses?: string[];
  region?: string;
  account?: string;
}

/** An entry PutEvents refused, with EventBridge's error code. */
export interface EntryFailure {
  errorCode?: string;
  errorMessage?: string;
}

/** A whole request refused. */
export interface RequestFailure {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** One PutEvents call as received (accepted or not). */
export interface PutEventsCall {
  entryCount: number;
  failedEntryCount: number;
  /** Set when the whole request was refused (validation or injected fault). */
  error?: string;
}

/** The running stand-in: its events, its calls, and failures to inject. */
export interface EventBridgeStandIn {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** Accepted events, oldest first, optionally filtered. */
  events(filter?: { busName?: string; source?: string; detailType?: string }): RecordedEvent[];
  /** Every PutEvents call received, oldest first. */
  calls(): PutEventsCall[];
  /** Forgets recorded events and calls (not the pending faults). */
  clear(): void;
  /** The next `count` otherwise valid entries fail (default ErrorCode `InternalFailure`). */
  failNextEntries(count: number, failure?: EntryFailure): void;
  /** The next `count` requests are refused (default 500 `InternalException`). */
  failNextRequests(count: number, failure?: RequestFailure): void;
  /** Cancels pending injected faults. */
  resetFaults(): void;
  /** Resolves with the matching events once at least `count` have been accepted. */
  waitForEvents(
    count: number,
    options?: { timeoutMs?: number; filter?: { busName?: string; source?: string; detailType?: string } },
  ): Promise<RecordedEvent[]>;
  on(event: 'event', listener: (event: RecordedEvent) => void): this;
  off(event: 'event', listener: (event: RecordedEvent) => void): this;
  stop(): Promise<void>;
}

type Filter = { busName?: string; source?: string; detailType?: string };

function matches(event: RecordedEvent, filter: Filter | undefined): boolean {
  if (!filter) return true;
  return (
    (filter.busName === undefined || event.busName === filter.busName) &&
    (filter.source === undefined || event.source === filter.source) &&
    (filter.detailType === undefined || event.detailType === filter.detailType)
  );
}

/** `arn:aws:events:REGION:ACCOUNT:event-bus/NAME` → NAME; a plain name stays as it is. */
export function busNameOf(eventBusName: string): string {
  const arn = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(eventBusName);
  return arn?.[1] ?? eventBusName;
}

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

/** Starts the PutEvents stand-in on 127.0.0.1. */
export async function startEventBridgeStandIn(options: EventBridgeStandInOptions = {}): Promise<EventBridgeStandIn> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const recorded: RecordedEvent[] = [];
  const calls: PutEventsCall[] = [];
  const emitter = new EventEmitter();
  let entryFaults: { remaining: number; failure: Required<EntryFailure> } | undefined;
  let requestFaults: { remaining: number; failure: Required<RequestFailure> } | undefined;
  if (options.eventsFile) mkdirSync(dirname(options.eventsFile), { recursive: true });

  const putEvents = (input: Record<string, unknown>): unknown => {
    if (requestFaults && requestFaults.remaining > 0) {
      requestFaults.remaining--;
      const { statusCode, code, message } = requestFaults.failure;
      calls.push({
        entryCount: Array.isArray(input['Entries']) ? input['Entries'].length : 0,
        failedEntryCount: 0,
        error: code,
      });
      throw new AwsJsonError(code, message, statusCode);
    }
    const entries = input['Entries'];
    const refuse = (message: string): never => {
      calls.push({
        entryCount: Array.isArray(entries) ? entries.length : 0,
        failedEntryCount: 0,
        error: 'ValidationException',
      });
      throw new AwsJsonError('ValidationException', message);
    };
    if (!Array.isArray(entries) || entries.length === 0) {
      refuse(
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    const list = entries as unknown[];
    if (list.length > MAX_ENTRIES_PER_REQUEST) {
      refuse(
        `1 validation error detected: Value '${list.length}' at 'entries' failed to satisfy constraint: ` +
          `Member must have length less than or equal to ${MAX_ENTRIES_PER_REQUEST}`,
      );
    }
    const totalBytes = list.reduce<number>((sum, entry) => sum + entrySize(entry), 0);
    if (totalBytes > MAX_REQUEST_BYTES) {
      refuse(
        `Total size of the entries in the request is over the limit (${totalBytes} > ${MAX_REQUEST_BYTES} bytes).`,
      );
    }

    const results: Array<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> = [];
    const accepted: RecordedEvent[] = [];
    for (const raw of list) {
      const checked = checkEntry(raw, options.knownBuses);
      if ('errorCode' in checked) {
        results.push({ ErrorCode: checked.errorCode, ErrorMessage: checked.errorMessage });
        continue;
      }
      if (entryFaults && entryFaults.remaining > 0) {
        entryFaults.remaining--;
        results.push({ ErrorCode: entryFaults.failure.errorCode, ErrorMessage: entryFaults.failure.errorMessage });
        continue;
      }
      const event: RecordedEvent = {
        id: randomUUID(),
        busName: busNameOf(checked.eventBusName),
        eventBusName: checked.eventBusName,
        source: checked.source,
        detailType: checked.detailType,
        detail: checked.detail,
        rawDetail: checked.rawDetail,
        resources: checked.resources,
        time: checked.time ?? new Date().toISOString(),
        ...(checked.traceHeader !== undefined ? { traceHeader: checked.traceHeader } : {}),
        region,
        account,
      };
      accepted.push(event);
      results.push({ EventId: event.id });
    }
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    calls.push({ entryCount: list.length, failedEntryCount: failed });
    for (const event of accepted) {
      recorded.push(event);
      if (options.eventsFile) appendFileSync(options.eventsFile, `${JSON.stringify(toEnvelope(event))}\n`);
      emitter.emit('event', event);
    }
    return { FailedEntryCount: failed, Entries: results };
  };

  const server = await startJsonProtocolServer(
    { targetPrefix: 'AWSEvents', operations: { PutEvents: putEvents }, maxBodyBytes: 2 * 1024 * 1024 },
    options.port ?? 0,
  );

  const standIn: EventBridgeStandIn = {
    endpoint: server.endpoint,
    port: server.port,
    events: (filter) => recorded.filter((e) => matches(e, filter)),
    calls: () => [...calls],
    clear() {
      recorded.length = 0;
      calls.length = 0;
    },
    failNextEntries(count, failure = {}) {
      entryFaults = {
        remaining: count,
        failure: {
          errorCode: failure.errorCode ?? 'InternalFailure',
          errorMessage: failure.errorMessage ?? 'Internal service error (injected by the stand-in).',
        },
      };
    },
    failNextRequests(count, failure = {}) {
      requestFaults = {
        remaining: count,
        failure: {
          statusCode: failure.statusCode ?? 500,
          code: failure.code ?? 'InternalException',
          message: failure.message ?? 'Internal service error (injected by the stand-in).',
        },
      };
    },
    resetFaults() {
      entryFaults = undefined;
      requestFaults = undefined;
    },
    waitForEvents(count, { timeoutMs = 10_000, filter } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = recorded.filter((e) => matches(e, filter));
          if (found.length < count) return false;
          clearTimeout(timer);
          emitter.off('event', check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          emitter.off('event', check);
          const found = recorded.filter((e) => matches(e, filter)).length;
          reject(new Error(`Waited ${timeoutMs} ms for ${count} event(s) on the EventBridge stand-in; got ${found}`));
        }, timeoutMs);
        if (!check()) emitter.on('event', check);
      });
    },
    on(event, listener) {
      emitter.on(event, listener);
      return standIn;
    },
    off(event, listener) {
      emitter.off(event, listener);
      return standIn;
    },
    stop: () => server.close(),
  };
  return standIn;
}

interface CheckedEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  rawDetail: string;
  eventBusName: string;
  resources: string[];
  time?: string;
  traceHeader?: string;
}

function checkEntry(
  raw: unknown,
  knownBuses: string[] | undefined,
): CheckedEntry | { errorCode: string; errorMessage: string } {
  const invalid = (name: string, reason: string) => ({
    errorCode: 'InvalidArgument',
    errorMessage: `Parameter ${name} is not valid. Reason: ${reason}`,
  });
  if (raw === null || typeof raw !== 'object') return invalid('Entry', 'Entry must be an object.');
  const entry = raw as Record<string, unknown>;
  const source = entry['Source'];
  const detailType = entry['DetailType'];
  const detail = entry['Detail'];
  const bus = entry['EventBusName'] ?? 'default';
  if (typeof source !== 'string' || source.length === 0) return invalid('Source', 'Source is a required argument.');
  if (typeof detailType !== 'string' || detailType.length === 0) {
    return invalid('DetailType', 'DetailType is a required argument.');
  }
  if (typeof detail !== 'string' || detail.length === 0) return invalid('Detail', 'Detail is a required argument.');
  if (typeof bus !== 'string' || !(BUS_NAME.test(bus) || bus.startsWith('arn:'))) {
    return invalid('EventBusName', 'EventBusName is not a valid event bus name or ARN.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  const name = busNameOf(bus);
  if (knownBuses && !knownBuses.map(busNameOf).includes(name)) {
    return { errorCode: 'ResourceNotFoundException', errorMessage: `Event bus ${name} does not exist.` };
  }
  const resources = entry['Resources'];
  const time = entry['Time'];
  const traceHeader = entry['TraceHeader'];
  return {
    source,
    detailType,
    detail: parsed as Record<string, unknown>,
    rawDetail: detail,
    eventBusName: bus,
    resources: Array.isArray(resources) ? resources.filter((r): r is string => typeof r === 'string') : [],
    ...(time !== undefined ? { time: toIso(time) } : {}),
    ...(typeof traceHeader === 'string' ? { traceHeader } : {}),
  };
}

/** JSON 1.1 timestamps are epoch seconds (possibly fractional); accept ISO strings too. */
function toIso(value: unknown): string {
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return new Date().toISOString();
}

function entrySize(raw: unknown): number {
  if (raw === null || typeof raw !== 'object') return 0;
  const entry = raw as Record<string, unknown>;
  const bytes = (v: unknown): number => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  let size = entry['Time'] !== undefined ? 14 : 0;
  size += bytes(entry['Source']) + bytes(entry['DetailType']) + bytes(entry['Detail']);
  const resources = entry['Resources'];
  if (Array.isArray(resources)) for (const r of resources) size += bytes(r);
  return size;
}
