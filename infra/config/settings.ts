/**
 * Adopter settings: what every team that deploys the pipeline must change (account, region, alarm
 * recipients, library base URL, upload prefix, default folder, an existing secret) or may want to
 * (event consumers, the sync policy), given without
 * editing the repository. The typed stage records are the defaults; a settings file
 * (`-c settingsFile=<path>`, or `stage-settings.json` at the project root) and single context values
 * (`-c alarmRecipients=a@team.org`) override them, both checked by the same zod schema. An unknown key
 * is an error, so a typo cannot be silently ignored. docs/deploy.md shows the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { DELETE_POLICIES, OVERWRITE_POLICIES } from '../../shared/sync/sync-policy.ts';
import type { StageConfig, StageName } from './types.ts';

/** The settings of one stage. Values are checked again, with the records' own rules, once applied. */
export const stageSettingsSchema = z.strictObject({
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  region: z.string().min(1).optional(),
  alarmRecipients: z.union([z.literal('none'), z.array(z.string()).min(1)]).optional(),
  libraryBaseUrl: z.string().min(1).optional(),
  uploadPrefix: z.string().optional(),
  defaultFolderId: z.string().min(1).optional(),
  /** Use this existing secret instead of creating one. */
  librarySecretName: z.string().min(1).optional(),
  /** Accounts whose rules may subscribe to the stage's events (docs/events.md). */
  eventConsumerAccounts: z.array(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')).optional(),
  /** An organization whose accounts may all subscribe. */
  eventConsumerOrganizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id (o-…)')
    .optional(),
  /** The stage's sync policy for overwritten keys (docs/pipeline.md, "Sync"). */
  syncOnOverwrite: z.enum(OVERWRITE_POLICIES).optional(),
  /** The stage's sync policy for deleted keys. */
  syncOnDelete: z.enum(DELETE_POLICIES).optional(),
});

/** One stage's settings. */
export type StageSettings = z.infer<typeof stageSettingsSchema>;

/** A settings file: settings per stage name; a stage that is not listed keeps its record. */
export const settingsFileSchema = z.strictObject({
  dev: stageSettingsSchema.optional(),
  staging: stageSettingsSchema.optional(),
  prod: stageSettingsSchema.optional(),
});

/** Every setting that may also be given as a context value (`-c <key>=<value>`). */
export const STAGE_SETTING_KEYS = Object.keys(stageSettingsSchema.shape) as (keyof StageSettings)[];

/** Settings that take a comma-separated list as a context value. */
const LIST_SETTINGS: ReadonlySet<string> = new Set(['alarmRecipients', 'eventConsumerAccounts']);

/** The settings file read when no `settingsFile` is given, if it exists (kept out of git). */
export const DEFAULT_SETTINGS_FILE = 'stage-settings.json';

/** Thrown for a settings file or value that does not fit the schema. */
export class StageSettingsError extends Error {
  override readonly name = 'StageSettingsError';
}

/** The record with the settings applied (a new object; the record is not changed). */
export function applySettings(config: StageConfig, settings: StageSettings): StageConfig {
  const s = settings;
  return {
    ...config,
    env: { account: s.account ?? config.env.account, region: s.region ?? config.env.region },
    library: {
      ...config.library,
      baseUrl: s.libraryBaseUrl ?? config.library.baseUrl,
      defaultFolderId: s.defaultFolderId ?? config.library.defaultFolderId,
      secret: s.librarySecretName ? { kind: 'import', secretName: s.librarySecretName } : config.library.secret,
    },
    uploads: { ...config.uploads, prefix: s.uploadPrefix ?? config.uploads.prefix },
    observability: {
      ...config.observability,
      alarmRecipients: s.alarmRecipients ?? config.observability.alarmRecipients,
    },
    events: { consumers: eventConsumers(config, s) },
    sync: {
      onOverwrite: s.syncOnOverwrite ?? config.sync.onOverwrite,
      onDelete: s.syncOnDelete ?? config.sync.onDelete,
    },
  };
}

function eventConsumers(config: StageConfig, s: StageSettings): StageConfig['events']['consumers'] {
  const organizationId = s.eventConsumerOrganizationId ?? config.events.consumers.organizationId;
  return {
    accounts: s.eventConsumerAccounts ?? config.events.consumers.accounts,
    ...(organizationId === undefined ? {} : { organizationId }),
  };
}

/** Parses a settings file's content; `source` names it in errors. */
export function parseSettingsFile(text: string, source: string): Partial<Record<StageName, StageSettings>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StageSettingsError(`${source} is not JSON: ${(error as Error).message}`);
  }
  return check(settingsFileSchema, json, source);
}

/**
 * The settings given as context values. Context values from the command line are strings:
 * `alarmRecipients` takes a comma-separated list or `none`, `eventConsumerAccounts` a comma-separated list.
 */
export function settingsFromContext(get: (key: string) => unknown): StageSettings {
  const given: Record<string, unknown> = {};
  for (const key of STAGE_SETTING_KEYS) {
    const value = get(key);
    if (value === undefined) continue;
    given[key] = LIST_SETTINGS.has(key) && typeof value === 'string' && value !== 'none' ? splitList(value) : value;
  }
  return check(stageSettingsSchema, given, 'context values (-c)');
}

/**
 * The settings for one stage: the file's (the named one, else `stage-settings.json` when present),
 * then the context values over them.
 */
export function resolveSettings(stage: StageName, get: (key: string) => unknown, projectRoot: string): StageSettings {
  const named = get('settingsFile');
  if (named !== undefined && typeof named !== 'string') throw new StageSettingsError('settingsFile must be a path');
  const path = named === undefined ? join(projectRoot, DEFAULT_SETTINGS_FILE) : resolvePath(named, projectRoot);
  if (named !== undefined && !existsSync(path)) throw new StageSettingsError(`settingsFile ${path} does not exist`);
  const fromFile = existsSync(path) ? (parseSettingsFile(readFileSync(path, 'utf8'), path)[stage] ?? {}) : {};
  return { ...fromFile, ...settingsFromContext(get) };
}

function resolvePath(path: string, projectRoot: string): string {
  return isAbsolute(path) ? path : join(projectRoot, path);
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function check<T extends z.ZodType>(schema: T, value: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new StageSettingsError(`${source} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}
