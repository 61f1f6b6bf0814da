/**
 * A consumer team's code, as small as it gets: reads events as its target receives them (one JSON per
 * line), keeps the pipeline's events, and acts on each detail-type. It imports only the package's
 * public subpath, so it type-checks and runs only if the contract package works from outside.
 */
import { readFileSync } from 'node:fs';
import {
  DETAIL_TYPES,
  ERROR_KEYS,
  isLibraryUploadEvent,
  type LibraryUploadEvent,
} from 'library-upload-pipeline/events';

function describe(event: LibraryUploadEvent): string {
  switch (event['detail-type']) {
    case DETAIL_TYPES.uploaded:
      // @ts-expect-error an uploaded file has no reason: the types know it
      void event.detail.reason;
      return `uploaded ${event.detail.object.key} ${event.detail.file?.url ?? '(no url)'}`;
    case DETAIL_TYPES.failed: {
      const key = event.detail.reason.errorKey;
      const info =
        key in ERROR_KEYS[DETAIL_TYPES.failed] ? ERROR_KEYS[DETAIL_TYPES.failed][key as 'virus-found'] : undefined;
      return `failed ${event.detail.object.key} ${event.detail.status} ${key} retry=${info?.retry ?? 'see message'}`;
    }
    case DETAIL_TYPES.rejected:
      return `rejected ${event.detail.object.key} ${event.detail.reason.errorKey}`;
    case DETAIL_TYPES.replaced:
      return `replaced ${event.detail.libraryFileId} by ${event.detail.replacedBy.libraryFileId}`;
    case DETAIL_TYPES.removed:
      return `removed ${event.detail.object.key} trashed=${event.detail.trashed}`;
  }
}

const file = process.argv[2] ?? '';
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const event: unknown = JSON.parse(line);
  console.log(isLibraryUploadEvent(event) ? describe(event) : 'not a pipeline event');
}
