/**
 * How Lambda reads a handler's `ReportBatchItemFailures` response, for both emulated event sources (SQS
 * message ids, stream sequence numbers): nothing (or no `batchItemFailures`) means every item succeeded;
 * an identifier that is empty or not in the batch makes the whole batch a failure (returned as an Error).
 */
export function batchItemFailures(response: unknown, batchIds: ReadonlySet<string>): string[] | Error {
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object') return [];
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return new Error('batchItemFailures is not a list: the whole batch failed');
  const ids: string[] = [];
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) {
      return new Error(
        `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch: the whole batch failed`,
      );
    }
    ids.push(id);
  }
  return ids;
}
