/**
 * The drop folder: new files (sub-folders kept) become objects under the upload prefix once fully
 * written; files present at start, hidden and partial-download files are left alone.
 */
import { mkdtemp, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  contentTypeOf,
  keyForDroppedFile,
  startDropWatcher,
  type DropWatcher,
  type DroppedFile,
} from '../../../infra/local/runner/drop-watcher.ts';
import { startTestEnvironment, waitFor, type TestEnvironment } from '../../support/index.ts';

let env: TestEnvironment;
const watchers: DropWatcher[] = [];
const dirs: string[] = [];
let bucketCount = 0;

beforeAll(async () => {
  env = await startTestEnvironment({ fauxqs: true });
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
afterAll(() => env?.stop());

async function setUp(options: { uploadExisting?: boolean; before?: (dir: string) => Promise<void> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'drop-'));
  dirs.push(dir);
  await options.before?.(dir);
  const bucket = `drop-${++bucketCount}-${Date.now()}`;
  await env.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const uploaded: DroppedFile[] = [];
  const deleted: string[] = [];
  const watcher = startDropWatcher({
    dir,
    s3: env.clients.s3,
    bucket,
    prefix: 'uploads/',
    stableMs: 300,
    intervalMs: 100,
    uploadExisting: options.uploadExisting ?? false,
    onUploaded: (f) => uploaded.push(f),
    onDeleted: (d) => deleted.push(d.key),
  });
  watchers.push(watcher);
  await watcher.ready;
  const keys = async (): Promise<string[]> =>
    ((await env.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [])
      .map((o) => o.Key ?? '')
      .sort();
  const body = async (key: string): Promise<string> =>
    (await (await env.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString()) ??
    '';
  return { dir, bucket, uploaded, deleted, keys, body };
}

describe('drop watcher', () => {
  it('deletes from the bucket a file it uploaded once it leaves the folder (rm, or the old name of mv), and no other', async () => {
    // Prepare: one file there before start (never uploaded), two dropped after.
    const t = await setUp({ before: (dir) => writeFile(join(dir, 'old.png'), 'OLD') });
    await writeFile(join(t.dir, 'photo.png'), 'P');
    await writeFile(join(t.dir, 'poster.pdf'), 'PDF');
    await waitFor(() => t.uploaded.length === 2, { what: 'two uploads', timeoutMs: 10_000 });
    // Act
    await rm(join(t.dir, 'photo.png'));
    await rename(join(t.dir, 'poster.pdf'), join(t.dir, 'poster-renamed.pdf'));
    await rm(join(t.dir, 'old.png'));
    // Assess
    await waitFor(() => t.deleted.length === 2 && t.uploaded.length === 3, { what: 'two deletes', timeoutMs: 10_000 });
    expect([...t.deleted].sort()).toEqual(['uploads/photo.png', 'uploads/poster.pdf']);
    expect(await t.keys()).toEqual(['uploads/poster-renamed.pdf']);
  });

  it('puts new files under the prefix, keeping sub-folders, spaces and unicode', async () => {
    // Prepare
    const t = await setUp();
    await mkdir(join(t.dir, 'Events', 'Été 2026'), { recursive: true });
    // Act
    await writeFile(join(t.dir, 'a.png'), 'A');
    await writeFile(join(t.dir, 'Events', 'Été 2026', 'b c.pdf'), 'BC');
    // Assess
    await waitFor(() => t.uploaded.length === 2, { what: 'two uploads', timeoutMs: 10_000 });
    expect(await t.keys()).toEqual(['uploads/Events/Été 2026/b c.pdf', 'uploads/a.png']);
    expect(await t.body('uploads/Events/Été 2026/b c.pdf')).toBe('BC');
    expect(t.uploaded.find((u) => u.key === 'uploads/a.png')).toMatchObject({ relativePath: 'a.png', size: 1 });
  });

  it('waits until a file stops growing, and uploads it once, whole', async () => {
    // Prepare
    const t = await setUp();
    const path = join(t.dir, 'slow.pdf');
    const handle = await open(path, 'w');
    // Act: write in pieces with pauses shorter than the stability time
    for (let i = 0; i < 5; i++) {
      await handle.write(`part${i};`);
      await new Promise((r) => setTimeout(r, 120));
    }
    await handle.close();
    await waitFor(() => t.uploaded.length === 1, { what: 'the upload', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 600));
    // Assess
    expect(t.uploaded).toHaveLength(1);
    expect(await t.body('uploads/slow.pdf')).toBe('part0;part1;part2;part3;part4;');
  });

  it('leaves files present at start, hidden files and partial downloads alone; uploads a changed file again', async () => {
    // Prepare
    const t = await setUp({ before: (dir) => writeFile(join(dir, 'old.png'), 'old') });
    // Act
    await writeFile(join(t.dir, '.hidden.png'), 'h');
    await writeFile(join(t.dir, 'movie.png.crdownload'), 'partial');
    await writeFile(join(t.dir, 'new.png'), 'new');
    await waitFor(() => t.uploaded.length === 1, { what: 'the new file', timeoutMs: 10_000 });
    await writeFile(join(t.dir, 'new.png'), 'newer content');
    await waitFor(() => t.uploaded.length === 2, { what: 'the changed file', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    // Assess
    expect(await t.keys()).toEqual(['uploads/new.png']);
    expect(await t.body('uploads/new.png')).toBe('newer content');
  });

  it('uploads files present at start with uploadExisting', async () => {
    const t = await setUp({ uploadExisting: true, before: (dir) => writeFile(join(dir, 'old.png'), 'old') });
    await waitFor(() => t.uploaded.length === 1, { what: 'the existing file', timeoutMs: 10_000 });
    expect(await t.keys()).toEqual(['uploads/old.png']);
  });
});

describe('drop watcher helpers', () => {
  it('derives keys and content types', () => {
    expect(keyForDroppedFile('uploads/', 'a/b c.png')).toBe('uploads/a/b c.png');
    expect(keyForDroppedFile('', 'x.pdf')).toBe('x.pdf');
    expect(contentTypeOf('/x/Photo.JPG')).toBe('image/jpeg');
    expect(contentTypeOf('/x/unknown.bin')).toBe('application/octet-stream');
  });
});
