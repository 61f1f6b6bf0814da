/**
 * Which library files are one file's copies, and which of those break "no file uploaded twice".
 *
 * A name held more than once is a second copy, with one exception the fault run reports apart: every copy
 * was cancelled by the library (VirusFound, Failed: no usable file, and the file lists leave them out)
 * and exactly one record names one of them. That is an upload whose answer was lost and that the library
 * cancelled before the pipeline's search could see it, posted again; it ends the same way and neither
 * copy is a file anyone can use.
 */

/** One library file, as the sandbox's admin API describes it. */
export interface LibraryCopy {
  id: string;
  name: string;
  size: number;
  folderId?: string | undefined;
  status: string;
}

/** Library files sharing a name (one file's copies) and the library file ids the records kept. */
export interface CopyGroup {
  name: string;
  copies: Array<{ id: string; size: number; folderId: string | undefined; status: string }>;
  recordedFileIds: string[];
}

/** Statuses of an upload the library cancelled: it holds no usable file and lists none. */
export const CANCELLED_BY_LIBRARY: ReadonlySet<string> = new Set(['VirusFound', 'Failed']);

export function classifyCopies(
  libraryFiles: readonly LibraryCopy[],
  recordedFileIds: readonly string[],
): { secondCopies: CopyGroup[]; cancelledReposts: CopyGroup[] } {
  const byName = new Map<string, LibraryCopy[]>();
  for (const file of libraryFiles) byName.set(file.name, [...(byName.get(file.name) ?? []), file]);
  const recorded = new Set(recordedFileIds);
  const groups: CopyGroup[] = [...byName.entries()]
    .filter(([, copies]) => copies.length > 1)
    .map(([name, copies]) => ({
      name,
      copies: copies.map((c) => ({ id: c.id, size: c.size, folderId: c.folderId, status: c.status })),
      recordedFileIds: copies.map((c) => c.id).filter((id) => recorded.has(id)),
    }));
  const cancelledRepost = (group: CopyGroup): boolean =>
    group.recordedFileIds.length === 1 &&
    group.copies.every((c) => CANCELLED_BY_LIBRARY.has(c.status) && c.size === group.copies[0]?.size);
  return { secondCopies: groups.filter((g) => !cancelledRepost(g)), cancelledReposts: groups.filter(cancelledRepost) };
}

/** Copies beyond the first, over all groups. */
export function extraCopies(groups: readonly CopyGroup[]): number {
  return groups.reduce((sum, group) => sum + group.copies.length - 1, 0);
}
