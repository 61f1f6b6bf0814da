/**
 * The text `npm start` prints once everything is up: where each service listens, where files go, how to
 * drop one, and where to look. Credentials never appear (the sandbox's are fake, but a real API's are not).
 */
import { relative } from 'node:path';
import { LOCAL_CREDENTIALS } from '../emulators/aws-endpoints.ts';
import type { LocalPipeline } from './local-pipeline.ts';

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

function stateNote(persistence: LocalPipeline['persistence']): string {
  if (!persistence.enabled) return 'in memory, fresh at each start (the sandbox starts empty too)';
  const where = shown(persistence.dataDir ?? '');
  return `kept in ${where}/ across restarts${persistence.resumed ? ' (resumed from the last run)' : ''}`;
}

/** The start-up banner: every endpoint, the bucket and where events and logs go (never a credential). */
export function bannerText(
  pipeline: LocalPipeline,
  options: { fast: boolean; functionLogs?: 'file' | 'inherit' },
): string {
  const { endpoints, resources, paths, poll } = pipeline;
  const prefix = resources.uploadPrefix;
  const dropHint = paths.dropDir
    ? [
        `  Drop a file:      cp photo.png ${shown(paths.dropDir)}/            → s3://${resources.bucket}/${prefix}photo.png`,
        `                   (sub-folders are kept: ${shown(paths.dropDir)}/Events/2026/a.png → ${prefix}Events/2026/a.png)`,
      ]
    : ['  Drop folder:      off (--no-drop)'];
  const library =
    pipeline.library.kind === 'sandbox'
      ? `  Library sandbox:  ${endpoints.library}   (admin: ${endpoints.sandboxAdmin ?? ''}counters, files)`
      : `  Library API:      ${endpoints.library}   (your account: uploads are real)`;
  const pollNote = options.fast
    ? `--fast: status checks after ${poll.firstDelaySeconds} s, then every ${poll.maxDelaySeconds} s`
    : `status checks after ${poll.firstDelaySeconds} s, growing to ${poll.maxDelaySeconds} s (--fast shortens them)`;
  return [
    '',
    `Library upload pipeline: local mode, stage ${pipeline.stage.stage} (ready in ${(pipeline.startupMs / 1000).toFixed(1)} s)`,
    '',
    `  S3:               ${endpoints.s3}   bucket ${resources.bucket}, uploads under ${prefix || '(whole bucket)'}`,
    `  SQS:              ${endpoints.sqs}   ${resources.ingestQueue.name}, ${resources.statusQueue.name} (+ DLQs)`,
    `  DynamoDB:         ${endpoints.dynamodb}   ${resources.uploadsTable}, ${resources.limitsTable}`,
    `  EventBridge:      ${endpoints.eventbridge}   bus ${resources.eventBusName} (stand-in)`,
    library,
    '',
    ...dropHint,
    `  Or with the AWS CLI:`,
    `    AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_REGION=${endpoints.region} \\`,
    `      aws --endpoint-url ${endpoints.s3} s3 cp photo.png s3://${resources.bucket}/${prefix}photo.png`,
    '',
    `  Events:           ${shown(paths.eventsFile)} (one JSON line per event)`,
    `  Function logs:    ${options.functionLogs === 'inherit' ? 'this terminal (--function-logs inherit)' : shown(paths.functionLog)}`,
    `  Poll:             ${pollNote}`,
    `  State:            ${stateNote(pipeline.persistence)}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
