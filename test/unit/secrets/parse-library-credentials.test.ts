import { describe, expect, it } from 'vitest';
import {
  MissingLibraryCredentialsError,
  PLACEHOLDER_SECRET_VALUE,
  parseLibraryCredentials,
} from '../../../shared/secrets/library-credentials.ts';

const SECRET_ID = 'library-upload/dev/library-credentials';

/** Runs the parser and returns the error it threw. */
function refusal(value: string): MissingLibraryCredentialsError {
  try {
    parseLibraryCredentials(SECRET_ID, value);
  } catch (error) {
    if (error instanceof MissingLibraryCredentialsError) return error;
    throw error;
  }
  throw new Error('expected the value to be refused');
}

describe('parseLibraryCredentials', () => {
  it('reads apiKey and accessToken from the secret JSON', () => {
    // Act
    const credentials = parseLibraryCredentials(SECRET_ID, '{"apiKey":" key-1 ","accessToken":"token-1","note":"x"}');

    // Assess
    expect(credentials).toEqual({ apiKey: 'key-1', accessToken: 'token-1' });
  });

  it.each([
    [
      'the placeholder in both fields',
      `{"apiKey":"${PLACEHOLDER_SECRET_VALUE}","accessToken":"${PLACEHOLDER_SECRET_VALUE}"}`,
      'placeholder',
      ['apiKey', 'accessToken'],
    ],
    [
      'the placeholder in one field',
      `{"apiKey":"real-key-value","accessToken":"${PLACEHOLDER_SECRET_VALUE}"}`,
      'placeholder',
      ['accessToken'],
    ],
    ['the bare placeholder', PLACEHOLDER_SECRET_VALUE, 'placeholder', ['apiKey', 'accessToken']],
    ['a missing field', '{"apiKey":"real-key-value"}', 'missing-field', ['accessToken']],
    ['an empty field', '{"apiKey":"","accessToken":"real-token-value"}', 'missing-field', ['apiKey']],
    ['a field that is not a string', '{"apiKey":12345,"accessToken":"real-token-value"}', 'missing-field', ['apiKey']],
    ['text that is not JSON', 'apiKey=real-key-value;accessToken=real-token-value', 'not-json', []],
    ['JSON that is not an object', '["real-key-value","real-token-value"]', 'not-an-object', []],
    ['an empty value', '  ', 'empty', []],
  ] as const)('refuses %s with MissingLibraryCredentialsError', (_case, value, reason, fields) => {
    // Act
    const error = refusal(value);

    // Assess
    expect(error.reason).toBe(reason);
    expect(error.fields).toEqual(fields);
    expect(error.secretId).toBe(SECRET_ID);
    expect(error.message).toContain(SECRET_ID);
  });

  it('never echoes the secret value in the error', () => {
    // Prepare: values that would show up if the message quoted the input.
    const values = [
      '{"apiKey":"SUPERSECRETKEY","accessToken":',
      '{"apiKey":"SUPERSECRETKEY"}',
      '{"apiKey":"SUPERSECRETKEY","accessToken":"REPLACE_ME"}',
      'SUPERSECRETKEY',
    ];

    // Act
    const errors = values.map(refusal);

    // Assess
    for (const error of errors) {
      expect(error.message).not.toContain('SUPERSECRETKEY');
      expect(error.cause).toBeUndefined();
      expect(JSON.stringify(error)).not.toContain('SUPERSECRETKEY');
    }
  });
});
