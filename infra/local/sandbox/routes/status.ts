/**
 * GET /library/files/uploadstatus/{ids}: `[{"file_id":"9","status":"Active","description":"Active"}]`
 * for the ids it knows, in the order asked; unknown ids are simply absent (the docs' "null set"), so an
 * empty array is a normal answer. Repeated ids are answered once.
 */
import { statusAt } from '../processing.ts';
import type { RouteResult } from '../http-io.ts';
import type { RouteContext } from '../router.ts';

/** `GET /library/files/uploadstatus/{ids}`: unknown ids are left out. */
export async function getUploadStatus({ state, params }: RouteContext): Promise<RouteResult> {
  const now = state.clock.now();
  const ids = [...new Set((params[0] ?? '').split(','))];
  const numeric = state.settings.quirks.numericStatusFileIds;
  const body = ids.flatMap((id) => {
    const file = state.store.get(id);
    if (file === undefined) return [];
    const status = statusAt(file.schedule, now);
    return [{ file_id: numeric ? Number(file.id) : file.id, status, description: status }];
  });
  return { status: 200, body };
}
