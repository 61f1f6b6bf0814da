/**
 * Runtime checks of the contract, for consumers (and the pipeline's tests): the JSON Schema's rules as a
 * zod schema, so a consumer needs no JSON Schema engine. The normative form stays the JSON Schema; a
 * test holds this validator to the same verdicts as ajv on the schema, event by event.
 *
 * Two modes. `strict` is the producer's view (`additionalProperties: false`, the closed set of error
 * keys: nothing undocumented); the default is the consumer's view of the versioning policy: fields and
 * error keys it does not know are accepted, so an additive change (a new optional field, a new key)
 * never breaks a consumer that validates.
 */
import * as z from 'zod';
import { DETAIL_TYPES, EVENT_SOURCE, EVENT_VERSION, STATUSES_BY_DETAIL_TYPE, detailTypeFor } from './contract.ts';
import type { EventStatus, LibraryUploadEvent, UploadEventDetail } from './contract.ts';
import { API_ERROR_KEY_PATTERN, pipelineErrorKeys } from './error-keys.ts';
import type { DetailTypeWithReason } from './error-keys.ts';

/** How strictly unknown properties are treated. */
export interface ValidationOptions {
  /** Refuse properties the contract does not define (default false: ignore them, as consumers should). */
  strict?: boolean;
}

/** The verdict: the typed value, or the problems found (JSON paths and messages; never the values). */
export type ValidationResult<T> = { valid: true; value: T; errors: [] } | { valid: false; errors: string[] };

// The formats the schema names, as ajv-formats defines them (uuid) or as zod's ISO and URL checks do.
const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const nonEmpty = z.string().min(1);
const count = z.int().min(0);
const dateTime = z.iso.datetime({ offset: true });
const uri = z.url();
// JSON Schema's maxLength counts code points, not UTF-16 units.
const message = z.string().refine((s) => [...s].length <= 1000, 'must have at most 1000 characters');

function detailSchemas(strict: boolean) {
  const object = strict ? z.strictObject : z.looseObject;
  const reasonFor = (detailType: DetailTypeWithReason) => {
    const [first, ...rest] = pipelineErrorKeys(detailType);
    const own = z.enum([first as string, ...rest]);
    const errorKey = strict ? z.union([own, z.string().regex(new RegExp(API_ERROR_KEY_PATTERN))]) : nonEmpty;
    return object({ errorKey, message });
  };
  const common = {
    version: z.literal(EVENT_VERSION),
    eventId: z.string().regex(UUID),
    stage: nonEmpty,
    objectId: nonEmpty,
    object: object({
      bucket: nonEmpty,
      key: nonEmpty,
      versionId: nonEmpty.optional(),
      eTag: nonEmpty.optional(),
      size: count.optional(),
    }),
    libraryFileId: nonEmpty.optional(),
    folderId: z.string().optional(),
    folderPath: z.string().optional(),
    fileName: nonEmpty,
    fileType: z.string(),
    timings: object({
      receivedAt: dateTime,
      submittedAt: dateTime.optional(),
      finalAt: dateTime,
      secondsToFinal: z.number().min(0),
    }),
    attempts: count,
  };
  const statuses = (detailType: keyof typeof STATUSES_BY_DETAIL_TYPE) =>
    z.enum(STATUSES_BY_DETAIL_TYPE[detailType] as unknown as [EventStatus, ...EventStatus[]]);
  const file = object({
    url: uri,
    thumbnailUrl: uri.optional(),
    width: count.optional(),
    height: count.optional(),
    size: count.optional(),
  }).optional();
  const synced = { ...common, libraryFileId: nonEmpty, file, trashed: z.boolean() };
  return z.discriminatedUnion('status', [
    object({ ...common, status: statuses(DETAIL_TYPES.uploaded), libraryFileId: nonEmpty, file }),
    object({ ...common, status: statuses(DETAIL_TYPES.failed), reason: reasonFor(DETAIL_TYPES.failed) }),
    object({ ...common, status: statuses(DETAIL_TYPES.rejected), reason: reasonFor(DETAIL_TYPES.rejected) }),
    object({
      ...synced,
      status: statuses(DETAIL_TYPES.replaced),
      replacedBy: object({ objectId: nonEmpty, libraryFileId: nonEmpty, url: uri.optional() }),
    }),
    object({ ...synced, status: statuses(DETAIL_TYPES.removed) }),
  ]);
}

const schemas = { strict: detailSchemas(true), lenient: detailSchemas(false) };

const envelopeSchema = z.looseObject({
  version: z.literal('0'),
  id: nonEmpty,
  'detail-type': z.enum(Object.values(DETAIL_TYPES) as [string, ...string[]]),
  source: z.literal(EVENT_SOURCE),
  account: z.string(),
  time: dateTime,
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

function problems(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => `${prefix}/${issue.path.join('/')}: ${issue.message}`);
}

/** Checks an event's `detail` against the v1 contract. */
export function validateUploadEventDetail(
  detail: unknown,
  options: ValidationOptions = {},
): ValidationResult<UploadEventDetail> {
  const result = (options.strict ? schemas.strict : schemas.lenient).safeParse(detail);
  if (!result.success) return { valid: false, errors: problems(result.error) };
  return { valid: true, value: detail as UploadEventDetail, errors: [] };
}

/**
 * Checks a whole event as a target receives it: the envelope, the detail, and that the detail-type is
 * the one its status belongs to.
 */
export function validateLibraryUploadEvent(
  event: unknown,
  options: ValidationOptions = {},
): ValidationResult<LibraryUploadEvent> {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) return { valid: false, errors: problems(envelope.error) };
  const detail = validateUploadEventDetail(envelope.data.detail, options);
  if (!detail.valid) return { valid: false, errors: detail.errors.map((e) => `/detail${e}`) };
  const expected = detailTypeFor(detail.value.status);
  if (envelope.data['detail-type'] !== expected) {
    return { valid: false, errors: [`/detail-type: must be "${expected}" for status ${detail.value.status}`] };
  }
  return { valid: true, value: event as LibraryUploadEvent, errors: [] };
}

/** Type guard: a valid pipeline event (unknown fields ignored, as the versioning policy asks). */
export function isLibraryUploadEvent(event: unknown): event is LibraryUploadEvent {
  return validateLibraryUploadEvent(event).valid;
}
