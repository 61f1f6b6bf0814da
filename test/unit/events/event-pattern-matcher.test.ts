/**
 * The matcher the docs test applies to documented patterns (the local event sources' matcher), pinned to
 * EventBridge's documented rules for the operators docs/events.md uses: exact values (ORed in a list,
 * fields ANDed), nesting, prefix, anything-but, exists and numeric, and array values in the event.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, type FilterPattern } from '../../../infra/local/runner/event-sources/filter-criteria.ts';

const EVENT = {
  source: 'library-upload-pipeline',
  'detail-type': 'Library File Rejected',
  resources: ['arn:a', 'arn:b'],
  detail: {
    stage: 'prod',
    object: { key: 'uploads/Events/2026/notes.txt', size: 10 },
    reason: { errorKey: 'unsupported-type' },
    attempts: 0,
  },
};

describe('the event pattern matcher', () => {
  it.each<[string, FilterPattern, boolean]>([
    ['an exact value, one of a list', { 'detail-type': ['Library File Failed', 'Library File Rejected'] }, true],
    ['an exact value not in the list', { 'detail-type': ['Library File Uploaded'] }, false],
    ['every field (AND)', { source: ['library-upload-pipeline'], detail: { stage: ['dev'] } }, false],
    ['a nested field', { detail: { object: { key: ['uploads/Events/2026/notes.txt'] } } }, true],
    ['a prefix', { detail: { object: { key: [{ prefix: 'uploads/Events/' }] } } }, true],
    ['a prefix without the upload prefix', { detail: { object: { key: [{ prefix: 'Events/' }] } } }, false],
    ['anything-but a list', { detail: { reason: { errorKey: [{ 'anything-but': ['virus-found'] }] } } }, true],
    ['anything-but the value', { detail: { reason: { errorKey: [{ 'anything-but': ['unsupported-type'] }] } } }, false],
    ['anything-but on an absent field', { detail: { folderPath: [{ 'anything-but': ['x'] }] } }, false],
    ['exists: false on an absent field', { detail: { libraryFileId: [{ exists: false }] } }, true],
    ['exists: true on an absent field', { detail: { libraryFileId: [{ exists: true }] } }, false],
    ['exists: false on a present field', { detail: { attempts: [{ exists: false }] } }, false],
    ['numeric, in range', { detail: { object: { size: [{ numeric: ['>', 0, '<=', 10] }] } } }, true],
    ['numeric, out of range', { detail: { attempts: [{ numeric: ['>=', 1] }] } }, false],
    ['numeric on a string value', { detail: { stage: [{ numeric: ['>', 0] }] } }, false],
    ['a value of an array in the event', { resources: ['arn:b'] }, true],
    ['a field the event does not have', { detail: { fileType: ['TXT'] } }, false],
  ])('%s → %s', (_name, pattern, expected) => {
    // Act / Assess
    expect(matchesPattern(pattern, EVENT)).toBe(expected);
  });
});
