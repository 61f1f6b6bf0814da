/**
 * POST /library/files: multipart upload → 202 Accepted + Location `<origin>/v2/library/files/<id>`,
 * empty body. Processing continues after the answer (see processing.ts).
 *
 * The body is always read to its end before answering, even when it will be refused, so a client that
 * streams a large body never sees its write fail on an early answer.
 */
import { ERROR_KEYS, apiError } from '../error-bodies.ts';
import { NO_RESPONSE, drain, mediaType, type RouteResult } from '../http-io.ts';
import { intakeFile } from '../intake.ts';
import { parseUpload } from '../multipart.ts';
import type { RouteContext } from '../router.ts';
import { validateUpload } from '../upload-validation.ts';

/** `POST /library/files` (multipart): 202 with a Location, processing continues afterwards. */
export async function uploadFile({ req, state }: RouteContext): Promise<RouteResult> {
  if (mediaType(req.headers['content-type']) !== 'multipart/form-data') {
    await drain(req);
    return {
      status: 415,
      body: [apiError(ERROR_KEYS.unsupportedMediaType, 'Content-Type must be multipart/form-data.')],
    };
  }
  const { limits, quirks, keepBytes, faults } = state.settings;
  const parsed = await parseUpload(req, {
    maxFileSize: limits.maxUploadSize,
    keepBytes,
    bytesPerSecond: faults.uploadBytesPerSecond ?? 0,
  });
  if (parsed.aborted === true) return NO_RESPONSE;
  if (parsed.malformed !== undefined) {
    state.counters.uploadRejected();
    return {
      status: 400,
      body: [apiError(ERROR_KEYS.payloadMalformed, `The multipart body could not be read: ${parsed.malformed}.`)],
    };
  }
  const now = state.clock.now();
  const validation = validateUpload(parsed, {
    folders: state.store.folders,
    limits,
    quirks,
    bytesUsed: state.store.usage(now).total_bytes_used,
  });
  if (!validation.ok) {
    state.counters.uploadRejected();
    return { status: 400, body: validation.errors };
  }
  const { upload } = validation;
  const file = intakeFile(
    state.store,
    {
      name: upload.name,
      folderId: upload.folderId,
      description: upload.description,
      source: upload.source,
      fileType: upload.fileType,
      contentType: upload.data.contentType,
      size: upload.data.size,
      sha256: upload.data.sha256,
      head: upload.data.head,
      bytes: upload.data.bytes,
      virus: upload.data.virus,
    },
    state.settings.processing,
    now,
  );
  state.counters.uploadAccepted(file.size);
  return { status: 202, headers: { Location: `${state.origin}/v2/library/files/${file.id}` } };
}
