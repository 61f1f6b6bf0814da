/**
 * The event schema in the form the EventBridge Schema Registry takes (`JSONSchemaDraft4`), generated
 * from the normative draft 2020-12 schema so the two cannot drift. The registry describes whole events
 * (consumers download code bindings for the envelope with its typed `detail`), so the rendering wraps
 * the detail schema in EventBridge's envelope and ties each detail-type to its statuses.
 *
 * The translation is mechanical and keeps the meaning: `$defs` become `definitions`, `const` a
 * one-value `enum`, boolean schemas `{}` / `{"not": {}}`, `if`/`then`/`else` the equivalent
 * `(not if or then) and (if or else)`, and the `uuid` format (not in draft 4) its pattern. A test holds
 * the rendering to the same verdicts as the normative schema.
 */
import normativeSchema from './schema/library-upload-event.v1.schema.json' with { type: 'json' };
import { DETAIL_TYPES, EVENT_SOURCE, STATUSES_BY_DETAIL_TYPE } from './contract.ts';

type Schema = { [keyword: string]: unknown };

/** The draft 4 meta-schema URI. */
export const DRAFT4 = 'http://json-schema.org/draft-04/schema#';

/** The keywords a draft 4 rendering may use (the test checks the rendering uses no other). */
export const DRAFT4_KEYWORDS = [
  '$schema',
  '$ref',
  'title',
  'description',
  'type',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'definitions',
  'allOf',
  'anyOf',
  'not',
  'minLength',
  'maxLength',
  'minimum',
  'pattern',
  'format',
] as const;

/** ajv-formats' `uuid`, as a pattern: draft 4 has no such format. */
const UUID_PATTERN = '^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$';

const DETAIL_DEFINITION = 'LibraryUploadEventDetail';

/** The whole event (envelope and detail) as a JSON Schema draft 4 document. */
export function eventSchemaDraft4(normative: Schema = normativeSchema as Schema): Schema {
  const { $schema: _s, $id: _id, $defs, title, description, ...detail } = normative;
  const definitions = Object.fromEntries(
    Object.entries(($defs ?? {}) as Record<string, unknown>).map(([name, def]) => [name, toDraft4(def)]),
  );
  return {
    $schema: DRAFT4,
    title: 'Library upload event, version 1',
    description: `An event with source ${EVENT_SOURCE} as a target receives it. The detail: ${String(description)}`,
    type: 'object',
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string', description: 'Differs on every delivery: de-duplicate on detail.eventId.' },
      'detail-type': { enum: Object.values(DETAIL_TYPES) },
      source: { enum: [EVENT_SOURCE] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail: { $ref: `#/definitions/${DETAIL_DEFINITION}` },
    },
    allOf: Object.entries(STATUSES_BY_DETAIL_TYPE).map(([detailType, statuses]) => ({
      anyOf: [
        { not: { properties: { 'detail-type': { enum: [detailType] } } } },
        { properties: { detail: { properties: { status: { enum: statuses } } } } },
      ],
    })),
    definitions: { ...definitions, [DETAIL_DEFINITION]: toDraft4({ title, ...detail }) },
  };
}

/** One schema (or boolean schema) in draft 4 terms. */
function toDraft4(schema: unknown): unknown {
  if (schema === true) return {};
  if (schema === false) return { not: {} };
  if (Array.isArray(schema)) return schema.map(toDraft4);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Schema;
  const out: Schema = {};
  const conditions: Schema[] = [];
  for (const [keyword, value] of Object.entries(source)) {
    switch (keyword) {
      case 'const':
        out['enum'] = [value];
        break;
      case '$ref':
        out['$ref'] = String(value).replace('#/$defs/', '#/definitions/');
        break;
      case 'format':
        if (value === 'uuid') out['pattern'] = UUID_PATTERN;
        else out['format'] = value;
        break;
      case 'if':
        conditions.push(...conditional(source));
        break;
      case 'then':
      case 'else':
        break;
      case 'properties':
        out['properties'] = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, toDraft4(sub)]),
        );
        break;
      case 'allOf':
      case 'anyOf':
      case 'not':
      case 'items':
      case 'additionalProperties':
        out[keyword] = typeof value === 'boolean' && keyword === 'additionalProperties' ? value : toDraft4(value);
        break;
      default:
        out[keyword] = value;
    }
  }
  if (conditions.length > 0) out['allOf'] = [...((out['allOf'] as unknown[]) ?? []), ...conditions];
  return out;
}

/** `if A then B else C` is `(not A or B) and (A or C)`. */
function conditional(schema: Schema): Schema[] {
  const test = toDraft4(schema['if']);
  const parts: Schema[] = [];
  if ('then' in schema) parts.push({ anyOf: [{ not: test }, toDraft4(schema['then'])] });
  if ('else' in schema) parts.push({ anyOf: [test, toDraft4(schema['else'])] });
  return parts;
}
