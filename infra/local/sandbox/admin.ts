/**
 * The admin API under `/__sandbox/`, for tests, benchmarks and the chaos run of another process. No
 * auth, no rate limits, no faults, not counted as API requests.
 *
 *   GET  /__sandbox/health            {"ok":true}
 *   GET  /__sandbox/counters          SandboxCounters
 *   GET  /__sandbox/files             SandboxFileView[] (metadata + sha256)
 *   GET  /__sandbox/files/:id/bytes   the stored bytes (404 when not kept)
 *   POST /__sandbox/reset
 *   POST /__sandbox/faults            Partial<FaultOptions>
 *   POST /__sandbox/limits            Partial<LimitOptions>
 *   POST /__sandbox/processing        {"processingMs"?: number, "uploadedMs"?: number}
 *   POST /__sandbox/quirks            Partial<QuirkOptions>
 *   POST /__sandbox/credentials       [{"apiKey","accessToken"}] (or {"pairs": [...]})
 *   POST /__sandbox/clock/advance     {"ms": number}
 *
 * POST answers 200 with the new counters (so the caller sees the settings in force).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import type { SandboxControl } from './control.ts';
import { readJsonBody, writeResponse, type ApiResponse } from './http-io.ts';
import { SANDBOX_ENDPOINTS } from './options.ts';

const rate = z.number().min(0).max(1);
const faultsSchema = z
  .object({
    seed: z.number().int(),
    serverErrorRate: rate,
    latencyMs: z.number().min(0),
    uploadBytesPerSecond: z.number().min(0),
    hangRate: rate,
    resetBeforeBodyRate: rate,
    resetAfterBodyRate: rate,
    endpoints: z.array(z.enum(SANDBOX_ENDPOINTS)).nullable(),
  })
  .partial()
  .strict();
const limitsSchema = z
  .object({
    perSecond: z.number().int().min(1),
    perDay: z.number().int().min(1),
    maxUploadSize: z.number().int().min(1),
    maxTotalBytes: z.number().int().min(1),
  })
  .partial()
  .strict();
const processingSchema = z
  .object({ processingMs: z.number().min(0), uploadedMs: z.number().min(0) })
  .partial()
  .strict();
const quirksSchema = z
  .object({
    numericStatusFileIds: z.boolean(),
    infoAsArray: z.boolean(),
    rootOnlyWithoutFolders: z.boolean(),
    topLevelParentId: z.enum(['', '0']),
    allowDuplicateFolderNames: z.boolean(),
  })
  .partial()
  .strict();
const pairSchema = z.object({
  apiKey: z.string().min(1),
  accessToken: z.string().min(1),
  forbidden: z.boolean().optional(),
});
const credentialsSchema = z.union([
  z.array(pairSchema),
  z.object({ pairs: z.array(pairSchema) }).transform((body) => body.pairs),
]);
const advanceSchema = z.object({ ms: z.number().min(0) });

/** Serves the `/__sandbox/` admin API (counters, files, settings, reset) for tests and chaos runs. */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  control: SandboxControl,
): Promise<void> {
  const bytesMatch = req.method === 'GET' ? /^\/__sandbox\/files\/([^/]+)\/bytes\/?$/.exec(url.pathname) : null;
  if (bytesMatch !== null) {
    const bytes = control.fileBytes(decodeURIComponent(bytesMatch[1] ?? ''));
    if (bytes === undefined) return writeResponse(res, adminError(404, 'No bytes kept for that file.'));
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
    res.end(bytes);
    return;
  }
  writeResponse(res, await adminResponse(req, url, control));
}

async function adminResponse(req: IncomingMessage, url: URL, control: SandboxControl): Promise<ApiResponse> {
  const path = url.pathname.slice('/__sandbox'.length).replace(/\/$/, '');
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    if (path === '/health') return ok({ ok: true });
    if (path === '/counters') return ok(control.counters());
    if (path === '/files') return ok(control.files());
    return adminError(404, `No admin endpoint GET ${path}.`);
  }
  if (method !== 'POST') return adminError(405, `Admin endpoints take GET or POST.`);

  const body = await readJsonBody(req, 1024 * 1024);
  const input = body.ok ? body.value : {};
  if (!body.ok && body.reason !== 'malformed') return adminError(400, 'Unreadable body.');
  const apply = <T>(schema: z.ZodType<T>, action: (value: T) => void): ApiResponse => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) return adminError(400, z.prettifyError(parsed.error));
    action(parsed.data);
    return ok(control.counters());
  };
  switch (path) {
    case '/reset':
      control.reset();
      return ok(control.counters());
    case '/faults':
      return apply(faultsSchema, (faults) => control.setFaults(faults));
    case '/limits':
      return apply(limitsSchema, (limits) => control.setLimits(limits));
    case '/processing':
      return apply(processingSchema, (processing) => control.setProcessing(processing));
    case '/quirks':
      return apply(quirksSchema, (quirks) => control.setQuirks(quirks));
    case '/credentials':
      return apply(credentialsSchema, (pairs) => control.setCredentials(pairs));
    case '/clock/advance':
      return apply(advanceSchema, ({ ms }) => void control.advanceClock(ms));
    default:
      return adminError(404, `No admin endpoint POST ${path}.`);
  }
}

function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}

function adminError(status: number, message: string): ApiResponse {
  return { status, body: { error: message } };
}
