/**
 * Adopter settings: a settings file and context values, checked by one zod schema, applied over the
 * typed records. An unknown key is an error; a missing required setting is a synth error naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  StageConfigError,
  StageSettingsError,
  applySettings,
  parseSettingsFile,
  prod,
  settingsFromContext,
  staging,
} from '../../infra/config/index.ts';
import { stageFromContext } from '../../infra/stacks/pipeline-app.ts';

const root = mkdtempSync(join(tmpdir(), 'library-upload-settings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project root holding `files`, and a context lookup over `context`. */
function project(files: Record<string, unknown>, context: Record<string, unknown>) {
  const dir = mkdtempSync(join(root, 'p-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return { dir, get: (key: string): unknown => context[key] };
}

const PROD_SETTINGS = {
  account: '123456789012',
  region: 'eu-west-1',
  alarmRecipients: ['oncall@team.test'],
  libraryBaseUrl: 'https://library.team.test/v2',
  uploadPrefix: 'incoming/',
  defaultFolderId: '42',
};

describe('settings over the records', () => {
  it('changes what every adopter must change, and nothing else', () => {
    // Act
    const config = applySettings(prod, PROD_SETTINGS);

    // Assess
    expect(config.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(config.observability.alarmRecipients).toEqual(['oncall@team.test']);
    expect(config.library.baseUrl).toBe('https://library.team.test/v2');
    expect(config.uploads.prefix).toBe('incoming/');
    expect(config.library.defaultFolderId).toBe('42');
    expect({
      ...config,
      env: prod.env,
      library: prod.library,
      uploads: prod.uploads,
      observability: prod.observability,
    }).toEqual(prod);
  });

  it("sets the sync policy per stage, keeping the record's half that is not given", () => {
    // Act
    const config = applySettings(prod, { syncOnDelete: 'trash' });
    // Assess: prod keeps deleted keys' files by default; the setting changes only that half.
    expect(prod.sync.onDelete).toBe('keep');
    expect(config.sync).toEqual({ onOverwrite: prod.sync.onOverwrite, onDelete: 'trash' });
    expect(() => parseSettingsFile(JSON.stringify({ prod: { syncOnDelete: 'purge' } }), 'f.json')).toThrow(
      /syncOnDelete/,
    );
  });

  it('imports an existing secret by name', () => {
    expect(applySettings(prod, { librarySecretName: 'cc/prod' }).library.secret).toEqual({
      kind: 'import',
      secretName: 'cc/prod',
    });
  });
});

describe('settings file', () => {
  it('rejects an unknown setting and an unknown stage, naming them', () => {
    expect(() => parseSettingsFile(JSON.stringify({ prod: { alarmEmail: 'a@b.org' } }), 'f.json')).toThrow(
      StageSettingsError,
    );
    expect(() => parseSettingsFile(JSON.stringify({ prod: { alarmEmail: 'a@b.org' } }), 'f.json')).toThrow(
      /alarmEmail/,
    );
    expect(() => parseSettingsFile(JSON.stringify({ qa: {} }), 'f.json')).toThrow(/qa/);
  });

  it('rejects a value of the wrong shape', () => {
    expect(() => parseSettingsFile(JSON.stringify({ prod: { account: '42' } }), 'f.json')).toThrow(/12-digit/);
    expect(() => parseSettingsFile(JSON.stringify({ prod: { alarmRecipients: [] } }), 'f.json')).toThrow(
      StageSettingsError,
    );
    expect(() => parseSettingsFile('{', 'f.json')).toThrow(/f\.json is not JSON/);
  });
});

describe('context values', () => {
  it('takes a comma-separated recipient list or "none"', () => {
    const context: Record<string, unknown> = { alarmRecipients: 'a@team.test, b@team.test' };
    expect(settingsFromContext((k) => context[k])).toEqual({ alarmRecipients: ['a@team.test', 'b@team.test'] });
    expect(settingsFromContext((k) => ({ alarmRecipients: 'none' })[k])).toEqual({ alarmRecipients: 'none' });
  });

  it('takes the sync policy as -c syncOnOverwrite=… / -c syncOnDelete=…', () => {
    const context: Record<string, unknown> = { syncOnOverwrite: 'keep', syncOnDelete: 'keep' };
    expect(settingsFromContext((k) => context[k])).toEqual({ syncOnOverwrite: 'keep', syncOnDelete: 'keep' });
  });
});

describe('the stage the app deploys', () => {
  it('reads stage-settings.json at the project root, with context values over it', () => {
    // Prepare
    const { dir, get } = project(
      { 'stage-settings.json': { prod: PROD_SETTINGS } },
      { stage: 'prod', region: 'eu-central-1' },
    );

    // Act
    const config = stageFromContext(get, dir);

    // Assess
    expect(config.env).toEqual({ account: '123456789012', region: 'eu-central-1' });
    expect(config.observability.alarmRecipients).toEqual(['oncall@team.test']);
  });

  it('reads the file named by settingsFile, and fails when it does not exist', () => {
    const { dir, get } = project(
      { 'ops.json': { staging: { alarmRecipients: 'none' } } },
      { stage: 'staging', settingsFile: 'ops.json' },
    );
    expect(stageFromContext(get, dir).observability.alarmRecipients).toBe('none');
    const missing = project({}, { stage: 'staging', settingsFile: 'nope.json' });
    expect(() => stageFromContext(missing.get, missing.dir)).toThrow(/settingsFile .*nope\.json does not exist/);
  });

  it('fails without alarm recipients for a stage that needs them, naming the setting and how to give it', () => {
    const { dir, get } = project({}, { stage: 'staging' });
    expect(() => stageFromContext(get, dir)).toThrow(StageConfigError);
    expect(() => stageFromContext(get, dir)).toThrow(
      /observability\.alarmRecipients is required for stage "staging".*-c alarmRecipients=/,
    );
    expect(staging.observability.alarmRecipients).toBeUndefined();
  });

  it('refuses a reserved example address and an invalid value after applying', () => {
    const reserved = project({}, { stage: 'prod', alarmRecipients: 'library-upload-alerts@example.com' });
    expect(() => stageFromContext(reserved.get, reserved.dir)).toThrow(/reserved domain/);
    const http = project({}, { stage: 'prod', alarmRecipients: 'none', libraryBaseUrl: 'http://plain.test/v2' });
    expect(() => stageFromContext(http.get, http.dir)).toThrow(
      /library\.baseUrl "http:\/\/plain\.test\/v2" must be an https URL/,
    );
  });
});
