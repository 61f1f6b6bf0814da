import { GetObjectTaggingCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { tagObjectOutcome, type OutcomeTagging } from '../../../shared/s3/outcome-tags.ts';

function tagging(send: (command: unknown) => Promise<unknown>, enabled = true) {
  const logger = { warn: vi.fn(), debug: vi.fn() };
  const countFailure = vi.fn();
  const value: OutcomeTagging = { s3: { send } as unknown as S3Client, enabled, logger, countFailure };
  return { value, logger, countFailure };
}

const ref = { bucket: 'b', key: 'k.png' };

describe('tagObjectOutcome', () => {
  it('adds the outcome to the existing tags', async () => {
    // Prepare
    const sent: unknown[] = [];
    const t = tagging(async (command) => {
      sent.push(command);
      return command instanceof GetObjectTaggingCommand
        ? {
            TagSet: [
              { Key: 'team', Value: 'brand' },
              { Key: 'library-status', Value: 'old' },
            ],
          }
        : {};
    });
    // Act
    const tagged = await tagObjectOutcome(t.value, ref, { status: 'Active', libraryFileId: '42' });
    // Assess
    expect(tagged).toBe(true);
    const put = sent.find((c): c is PutObjectTaggingCommand => c instanceof PutObjectTaggingCommand);
    expect(put?.input.Tagging?.TagSet).toEqual([
      { Key: 'team', Value: 'brand' },
      { Key: 'library-status', Value: 'Active' },
      { Key: 'library-file-id', Value: '42' },
    ]);
  });

  it('only warns and counts when the store cannot tag (never throws)', async () => {
    // Prepare
    const t = tagging(async () => {
      throw Object.assign(new Error('Not implemented'), { name: 'NotImplemented' });
    });
    // Act
    const tagged = await tagObjectOutcome(t.value, ref, { status: 'Rejected' });
    // Assess
    expect(tagged).toBe(false);
    expect(t.logger.warn).toHaveBeenCalledOnce();
    expect(t.countFailure).toHaveBeenCalledOnce();
  });

  it('does nothing when TAG_OBJECTS is off', async () => {
    // Prepare
    const send = vi.fn();
    const t = tagging(send, false);
    // Act
    const tagged = await tagObjectOutcome(t.value, ref, { status: 'Active' });
    // Assess
    expect(tagged).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });
});
