/**
 * The files of a fault run: deterministic from the seed (the same `--seed` drops the same names,
 * sizes and bytes), unique names (so "no second copy" can be checked by name in the library), a few
 * folders (folder creation races under concurrency), and a small share of files the pipeline or the
 * library must refuse, so that "accepted" and "dropped" differ:
 *  - about 3 % `.txt` (Rejected `unsupported-type` by ingest: never uploaded);
 *  - about 2 % PDFs carrying the EICAR test string (uploaded, then VirusFound in the library).
 */
import { pdfBytes, pngBytes } from '../support/sample-files.ts';

export interface ChaosFile {
  /** Object key (below the stage's upload prefix). */
  key: string;
  bytes: Buffer;
  /** What the run expects as the final status. */
  expected: 'Active' | 'Rejected' | 'VirusFound';
}

/** mulberry32: small, seedable, good enough to pick file kinds. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const FOLDERS = ['', 'chaos/', 'chaos/Events/', 'chaos/Events/2026/', 'chaos/Brochures/'];

function jpeg(padding: number, fill: number): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(padding, fill),
    Buffer.from([0xff, 0xd9]),
  ]);
}

export function chaosFiles(count: number, seed: number, uploadPrefix: string): ChaosFile[] {
  const random = seededRandom(seed);
  const files: ChaosFile[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const folder = FOLDERS[Math.floor(random() * FOLDERS.length)] ?? '';
    const padding = 200 + Math.floor(random() * 4000);
    const fill = Math.floor(random() * 256);
    const base = `${uploadPrefix}${folder}s${seed}-file-${String(i).padStart(4, '0')}`;
    if (roll < 0.03) {
      files.push({
        key: `${base}.txt`,
        bytes: Buffer.from(`plain text ${i}\n`.repeat(1 + (padding % 20))),
        expected: 'Rejected',
      });
    } else if (roll < 0.05) {
      files.push({ key: `${base}.pdf`, bytes: pdfBytes(`${EICAR} ${i}`), expected: 'VirusFound' });
    } else if (roll < 0.25) {
      files.push({
        key: `${base}.pdf`,
        bytes: pdfBytes(`document ${i} ${'x'.repeat(padding % 500)}`),
        expected: 'Active',
      });
    } else if (roll < 0.45) {
      files.push({ key: `${base}.jpg`, bytes: jpeg(padding, fill), expected: 'Active' });
    } else {
      files.push({
        key: `${base}.png`,
        bytes: pngBytes(16 + (i % 300), 16 + (padding % 300), padding, fill),
        expected: 'Active',
      });
    }
  }
  return files;
}

/**
 * New bytes of the key's own type (another type would be Rejected and, by the sync policy, leave the old
 * file live), of a size no dropped file has, so the sandbox's name+size duplicate count stays meaningful.
 */
function overwriteBytes(key: string, i: number): Buffer {
  if (key.endsWith('.pdf')) return pdfBytes(`overwritten ${i} ${'y'.repeat(700 + i)}`);
  if (key.endsWith('.jpg')) return jpeg(5000 + i, 0x5a);
  return pngBytes(40 + (i % 50), 40, 5000 + i, 0x5a);
}

/** A change to a dropped key while or after it is uploaded (the library must follow the bucket). */
export type ChaosMutation =
  | { kind: 'overwrite'; key: string; bytes: Buffer; late: boolean }
  | { kind: 'delete'; key: string; late: boolean }
  /** A copy to `toKey` with identical bytes, then a delete of `key` (what `mv` does in S3 tools). */
  | { kind: 'rename'; key: string; toKey: string; late: boolean };

/** Shares of the dropped files that are overwritten, deleted and renamed (at least one of each). */
export const MUTATION_SHARES = { overwrite: 0.1, delete: 0.08, rename: 0.06 } as const;

/**
 * Picks distinct files expected Active for each kind of change, deterministic from the seed; about
 * every other one of each kind is made while uploads run (`late: false`), the rest once half the files
 * are final.
 */
export function chaosMutations(files: readonly ChaosFile[], seed: number, uploadPrefix: string): ChaosMutation[] {
  const random = seededRandom(seed ^ 0x3a7e);
  const candidates = files.filter((f) => f.expected === 'Active').map((f) => f.key);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j] ?? '', candidates[i] ?? ''];
  }
  const take = (share: number): string[] => candidates.splice(0, Math.max(1, Math.round(share * files.length)));
  // Alternating, so that each kind has changes made both while uploading and after.
  const late = (i: number): boolean => i % 2 === 1;
  return [
    ...take(MUTATION_SHARES.overwrite).map((key, i): ChaosMutation => ({
      kind: 'overwrite',
      key,
      bytes: overwriteBytes(key, i),
      late: late(i),
    })),
    ...take(MUTATION_SHARES.delete).map((key, i): ChaosMutation => ({ kind: 'delete', key, late: late(i) })),
    ...take(MUTATION_SHARES.rename).map((key, i): ChaosMutation => ({
      kind: 'rename',
      key,
      toKey: `${uploadPrefix}chaos/Moved/${key.slice(key.lastIndexOf('/') + 1).replace(/(\.\w+)$/, '-moved$1')}`,
      late: late(i),
    })),
  ];
}
