/**
 * GET /library/info: account usage, computed from the stored files, with the account's
 * `max_upload_size_limit` (the pipeline validates sizes against it before uploading).
 */
import type { RouteResult } from '../http-io.ts';
import type { RouteContext } from '../router.ts';

/** `GET /library/info`: the account's limits and usage. */
export async function getLibraryInfo({ state }: RouteContext): Promise<RouteResult> {
  const { limits, quirks } = state.settings;
  const usage = state.store.usage(state.clock.now());
  const info = {
    max_free_file_num: 0,
    max_premium_space_limit: limits.maxTotalBytes,
    image_root: `${state.origin}/sandbox-files/`,
    usage_summary: {
      ...usage,
      total_bytes_remaining: Math.max(0, limits.maxTotalBytes - usage.total_bytes_used),
      free_files_remaining: 0,
    },
    max_upload_size_limit: limits.maxUploadSize,
  };
  return { status: 200, body: quirks.infoAsArray ? [info] : info };
}
