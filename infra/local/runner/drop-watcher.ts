/**
 * The `drop/` folder: every new file (sub-folders kept) is put into the bucket under the upload prefix,
 * once it is fully written.
 *
 * "Fully written" is decided by a size-stable check: a file is uploaded when its size and mtime have not
 * changed for `stableMs` (default 400 ms) across two scans. The folder is scanned every `intervalMs`
 * (default 250 ms) and, in addition, right after `fs.watch` (recursive) reports a change, so a file
 * copied in with `cp` is picked up within about half a second, and a slow copy (a large file, a
 * download) is not uploaded half-written.
 *
 * Files already in the folder at start are left alone unless `uploadExisting` says otherwise (all of
 * them, or those a function picks: local mode uploads only the ones its records have not seen, so a
 * real library account never gets a file twice). A file that changes later (new size or mtime) is
 * uploaded again: a new object version, as S3 would see it. A file this watcher uploaded and that then
 * disappears from the folder (`rm`, or the old name of an `mv`) is deleted from the bucket, as
 * `aws s3 sync --delete` would; files that were there at start and never uploaded are not. Hidden files
 * (`.name`), editor and download leftovers (`name~`, `.part`, `.crdownload`,
 * `.tmp`, `.swp`) and symbolic links are ignored.
 */
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The folder to watch and where its files go. */
export interface DropWatcherOptions {
  dir: string;
  s3: S3Client;
  bucket: string;
  /** Key prefix (the stage's upload prefix, e.g. `uploads/`). */
  prefix: string;
  stableMs?: number;
  intervalMs?: number;
  /**
   * Whether files already in the folder at start are uploaded: all (`true`), none (`false`, default),
   * or those the function picks (local mode asks the uploads table which ones it has not seen).
   */
  uploadExisting?: boolean | ((file: { path: string; relativePath: string; key: string }) => Promise<boolean>);
  /** Called when a file has been put into the bucket. */
  onUploaded?: (upload: DroppedFile) => void;
  /** Called when a file removed from the folder has been deleted from the bucket. */
  onDeleted?: (deleted: { path: string; relativePath: string; key: string }) => void;
  onError?: (error: unknown, path: string) => void;
}

/** A file the watcher put into the bucket. */
export interface DroppedFile {
  path: string;
  /** Path below the drop folder, with `/` separators. */
  relativePath: string;
  key: string;
  size: number;
  eTag: string | undefined;
  /** When the PutObject began (epoch ms): a record created before it belongs to an earlier drop. */
  startedAt: number;
}

/** A running watcher. */
export interface DropWatcher {
  /** Resolves once the initial scan is done (existing files recorded or uploaded). */
  ready: Promise<void>;
  /** Files uploaded so far. */
  uploaded(): DroppedFile[];
  /** Scans now (tests). */
  scan(): Promise<void>;
  stop(): Promise<void>;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** When this size/mtime was first observed. */
  since: number;
  /** The size/mtime that was last uploaded (or recorded at start). */
  done?: string;
}

const IGNORED = [/^\./, /~$/, /\.part$/i, /\.crdownload$/i, /\.tmp$/i, /\.swp$/i];

/** True for names never uploaded: dot files, editor backups and swap files, partial downloads, temporary files. */
export function isIgnoredName(name: string): boolean {
  return IGNORED.some((pattern) => pattern.test(name));
}

/** The object key of a file below the drop folder: prefix + relative path with `/` separators. */
export function keyForDroppedFile(prefix: string, relativePath: string): string {
  return `${prefix}${relativePath.split(sep).join('/')}`;
}

/** Watches the drop folder and puts each finished new file into the bucket below the prefix. */
export function startDropWatcher(options: DropWatcherOptions): DropWatcher {
  const stableMs = options.stableMs ?? 400;
  const intervalMs = options.intervalMs ?? 250;
  const seen = new Map<string, Seen>();
  const uploads: DroppedFile[] = [];
  /** Keys this watcher put into the bucket, by path: only those are deleted when the file goes. */
  const uploadedKeys = new Map<string, string>();
  const inProgress = new Set<Promise<void>>();
  let stopped = false;
  let scanning: Promise<void> | undefined;
  let rescan = false;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const listFiles = async (dir: string): Promise<string[]> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (isIgnoredName(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) files.push(...(await listFiles(path)));
      else if (entry.isFile()) files.push(path);
    }
    return files;
  };

  const upload = async (path: string, size: number): Promise<void> => {
    const relativePath = relative(options.dir, path).split(sep).join('/');
    const key = keyForDroppedFile(options.prefix, relativePath);
    const startedAt = Date.now();
    const result = await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: contentTypeOf(path),
      }),
    );
    const eTag = result.ETag?.replace(/"/g, '');
    const dropped: DroppedFile = { path, relativePath, key, size, eTag, startedAt };
    uploads.push(dropped);
    uploadedKeys.set(path, key);
    options.onUploaded?.(dropped);
  };

  const uploadsExisting = async (path: string): Promise<boolean> => {
    const choice = options.uploadExisting ?? false;
    if (typeof choice === 'boolean') return choice;
    const relativePath = relative(options.dir, path).split(sep).join('/');
    return choice({ path, relativePath, key: keyForDroppedFile(options.prefix, relativePath) });
  };

  const remove = async (path: string, key: string): Promise<void> => {
    await options.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    const relativePath = relative(options.dir, path).split(sep).join('/');
    options.onDeleted?.({ path, relativePath, key });
  };

  const track = (job: Promise<void>): void => {
    inProgress.add(job);
    void job.finally(() => inProgress.delete(job));
  };

  const scanOnce = async (initial: boolean): Promise<void> => {
    const now = Date.now();
    const files = await listFiles(options.dir);
    const present = new Set(files);
    for (const path of seen.keys()) {
      if (present.has(path)) continue;
      seen.delete(path);
      const key = uploadedKeys.get(path);
      if (key === undefined) continue;
      uploadedKeys.delete(path);
      track(remove(path, key).catch((error: unknown) => options.onError?.(error, path)));
    }
    for (const path of files) {
      let info;
      try {
        info = await stat(path);
      } catch {
        continue;
      }
      const signature = `${info.size}:${info.mtimeMs}`;
      const previous = seen.get(path);
      if (initial) {
        const upload = await uploadsExisting(path);
        seen.set(path, { size: info.size, mtimeMs: info.mtimeMs, since: now, ...(upload ? {} : { done: signature }) });
        continue;
      }
      if (!previous || previous.size !== info.size || previous.mtimeMs !== info.mtimeMs) {
        seen.set(path, {
          size: info.size,
          mtimeMs: info.mtimeMs,
          since: now,
          ...(previous?.done ? { done: previous.done } : {}),
        });
        continue;
      }
      if (previous.done === signature) continue;
      if (now - previous.since < stableMs || now - info.mtimeMs < stableMs) continue;
      previous.done = signature;
      track(
        upload(path, info.size).catch((error: unknown) => {
          // Let a later scan try again.
          delete previous.done;
          options.onError?.(error, path);
        }),
      );
    }
  };

  const scan = (initial = false): Promise<void> => {
    if (scanning) {
      rescan = true;
      return scanning;
    }
    scanning = (async () => {
      try {
        do {
          rescan = false;
          await scanOnce(initial);
        } while (rescan && !stopped);
      } catch (error) {
        options.onError?.(error, options.dir);
      } finally {
        scanning = undefined;
      }
    })();
    return scanning;
  };

  const ready = (async () => {
    await mkdir(options.dir, { recursive: true });
    await scan(true);
    if (stopped) return;
    try {
      watcher = watch(options.dir, { recursive: true }, () => void scan());
      watcher.on('error', () => undefined);
    } catch {
      // Polling alone is enough.
    }
    const tick = (): void => {
      if (stopped) return;
      void scan().finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
    };
    timer = setTimeout(tick, intervalMs);
  })();

  return {
    ready,
    uploaded: () => [...uploads],
    scan: () => scan(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
      await ready.catch(() => undefined);
      await scanning;
      await Promise.allSettled([...inProgress]);
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
};

/** The Content-Type `aws s3 cp` would guess from the extension. */
export function contentTypeOf(path: string): string {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}
