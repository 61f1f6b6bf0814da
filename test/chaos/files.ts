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
