/**
 * `ops status <s3 key | s3://bucket/key | library file id>`: every version's record of that key, newest
 * first, with each transition's time, and the outcome tags the current object carries.
 */
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { TAG_FILE_ID, TAG_STATUS } from '../../../shared/s3/outcome-tags.ts';
import { RECORD_STATUSES, type UploadRecord } from '../../../shared/record/upload-record.ts';
import { EXIT } from '../errors.ts';
import { fields, table, type CommandResult } from '../output.ts';
import { pipelineState, type PipelineState } from '../pipeline-state.ts';
import { recordsByKey, recordsByLibraryFileId } from '../records.ts';
import type { OpsTarget } from '../target/types.ts';
import type { CommandRunner } from './registry.ts';

export interface StatusData {
  query: string;
  bucket: string;
  key?: string;
  records: UploadRecord[];
  /** The current object's outcome tags (absent when the object is gone). */
  tags?: Record<string, string>;
  pipeline: PipelineState;
}

/** What the argument names: an S3 URL, a library file id (digits only) or a key. */
export function parseStatusQuery(
  query: string,
  defaults: { bucket: string },
): { kind: 'key'; bucket: string; key: string } | { kind: 'file'; libraryFileId: string } {
  const url = /^s3:\/\/([^/]+)\/(.+)$/.exec(query);
  if (url) return { kind: 'key', bucket: url[1] as string, key: url[2] as string };
  if (/^\d+$/.test(query)) return { kind: 'file', libraryFileId: query };
  return { kind: 'key', bucket: defaults.bucket, key: query };
}

export async function statusCommand(target: OpsTarget, query: string): Promise<CommandResult<StatusData>> {
  const source = { client: target.clients.dynamodb, tableName: target.resources.uploadsTable };
  const parsed = parseStatusQuery(query, { bucket: target.resources.bucket });
  let records: UploadRecord[];
  let bucket = target.resources.bucket;
  let key: string | undefined;
  if (parsed.kind === 'file') {
    records = await recordsByLibraryFileId(source, parsed.libraryFileId);
    key = records[0]?.key;
    bucket = records[0]?.bucket ?? bucket;
  } else {
    bucket = parsed.bucket;
    key = parsed.key;
    records = await recordsByKey(source, key, bucket);
    // `photo.png` for `uploads/photo.png`: the prefix is what every key has, so people leave it out.
    const prefixed = `${target.resources.uploadPrefix}${parsed.key}`;
    if (records.length === 0 && !parsed.key.startsWith(target.resources.uploadPrefix)) {
      records = await recordsByKey(source, prefixed, bucket);
      if (records.length > 0) key = prefixed;
    }
  }
  const [tags, pipeline] = await Promise.all([
    key === undefined ? undefined : outcomeTags(target, bucket, key),
    pipelineState(target),
  ]);
  const data: StatusData = { query, bucket, ...(key ? { key } : {}), records, ...(tags ? { tags } : {}), pipeline };
  if (records.length === 0) {
    return { data, text: `No record of ${query} in ${target.resources.uploadsTable}.`, exitCode: EXIT.failed };
  }
  return { data, text: statusText(data), exitCode: EXIT.ok };
}

async function outcomeTags(
  target: OpsTarget,
  bucket: string,
  key: string,
): Promise<Record<string, string> | undefined> {
  try {
    const result = await target.clients.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    const tags = Object.fromEntries((result.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    return {
      ...(tags[TAG_STATUS] ? { [TAG_STATUS]: tags[TAG_STATUS] } : {}),
      ...(tags[TAG_FILE_ID] ? { [TAG_FILE_ID]: tags[TAG_FILE_ID] } : {}),
    };
  } catch (error) {
    if (['NoSuchKey', 'NotFound', 'NoSuchVersion'].includes((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
}

function statusText(data: StatusData): string {
  const head = fields([
    ['key', `s3://${data.bucket}/${data.key ?? '?'}`],
    ['versions', data.records.length],
    [
      'object tags',
      data.tags
        ? Object.entries(data.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'none'
        : 'object gone',
    ],
    ['pipeline', data.pipeline.paused ? `PAUSED (${data.pipeline.detail})` : data.pipeline.detail],
  ]);
  const rows = data.records.map((r) => [
    r.versionId ?? r.eTag ?? '',
    r.status,
    r.libraryFileId,
    r.folderPath ?? r.folderId,
    r.attempts,
    r.retry ? `${r.retry.count} (was ${r.retry.previous.status})` : '',
    [r.errorKey, r.errorMessage].filter(Boolean).join(': '),
    transitionsText(r),
  ]);
  return `${head}\n${table(['version', 'status', 'library file', 'folder', 'attempts', 'retry', 'reason', 'transitions'], rows)}`;
}

/** `Received 10:00:00.000Z → Submitted 10:00:01.250Z → …`, in status order. */
export function transitionsText(record: UploadRecord): string {
  return RECORD_STATUSES.flatMap((status) => {
    const at = record.transitions?.[status];
    return at ? [`${status} ${at}`] : [];
  }).join('\n');
}

export const registerStatus: CommandRunner = (program: Command, run) => {
  program
    .command('status')
    .description(
      "every version's record of an S3 key (or of a library file id), newest first, and the object's outcome tags",
    )
    .argument('<query>', 'an S3 key (uploads/… or the part below the prefix), s3://bucket/key, or a library file id')
    .action((query: string) => run((target) => statusCommand(target, query)));
};
