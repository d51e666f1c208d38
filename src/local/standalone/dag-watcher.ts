import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DagBucket } from '../../aws/registry/dag-bucket.ts';
import { SOURCE_PREFIX } from '../../aws/registry/dag-bucket.ts';
import type { Registration } from '../../aws/registry/register-dag.ts';

/**
 * Keeps the DAG bucket's `dags/` in step with a folder on disk: a new or edited file is uploaded
 * and registered (validated, versioned, made live; an invalid file is rejected and the live version
 * stays), a removed file is deleted and its DAG deactivated. The folder is scanned every
 * `intervalMs` (polling works the same on every OS and file system, and on folders that are
 * replaced wholesale by editors or `git checkout`); a file is registered once its content is
 * stable across two scans, so a half-written file is not taken for an edit.
 */
export interface DagWatcherOptions {
  directory: string;
  bucket: DagBucket;
  /** registerDagObject with the registry's deps. */
  register: (key: string) => Promise<Registration>;
  /** Which file names are DAGs (the CLI's rule: not *.conf.json or *.seed.json). */
  isDagFile: (name: string) => boolean;
  intervalMs?: number;
  /** One line per registration outcome. */
  print?: (line: string) => void;
}

export interface DagWatcher {
  /** Resolves once every file present now has been registered (or rejected). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function scan(dir: string, isDagFile: (name: string) => boolean, root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await scan(path, isDagFile, root)));
    else if (entry.isFile() && isDagFile(entry.name)) files.push(relative(root, path).split(sep).join('/'));
  }
  return files;
}

/** What a registration outcome prints. */
export function describeRegistration(key: string, outcome: Registration): string {
  switch (outcome.action) {
    case 'published':
      return `${key}: ${outcome.dag_id} published (${outcome.version_arn.slice(outcome.version_arn.lastIndexOf(':') + 1)})`;
    case 'unchanged':
      return `${key}: ${outcome.dag_id} unchanged`;
    case 'rejected':
      return [`${key}: ${outcome.dag_id} rejected; the live version stays`, ...outcome.diagnostics].join(
        '\n  ',
      );
    case 'deactivated':
      return `${key}: removed, ${outcome.dag_id} deactivated`;
    case 'ignored':
      return `${key}: ignored (${outcome.reason})`;
  }
}

export async function watchDags(options: DagWatcherOptions): Promise<DagWatcher> {
  const print = options.print ?? ((line: string) => console.log(line));
  const interval = options.intervalMs ?? 500;
  /** Per relative path: the hash registered, and the hash seen on the last scan. */
  const registered = new Map<string, string>();
  const seen = new Map<string, string>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];
  let pending = true;

  // What a previous session uploaded: files removed while airless was down are deactivated now.
  const stored = await listSources(options.bucket);
  for (const key of stored) registered.set(key.slice(SOURCE_PREFIX.length), 'stored');

  async function sync(path: string, data: Buffer | null): Promise<void> {
    const key = `${SOURCE_PREFIX}${path}`;
    if (data === null) await options.bucket.delete(key);
    else await options.bucket.putText(key, data.toString('utf8'), 'application/yaml');
    try {
      print(describeRegistration(key, await options.register(key)));
    } catch (error) {
      print(`${key}: registration failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function pass(): Promise<void> {
    const files = await scan(options.directory, options.isDagFile);
    let unstable = false;
    for (const path of files) {
      let data: Buffer;
      try {
        data = await readFile(join(options.directory, path));
      } catch {
        continue; // removed between the scan and the read
      }
      if (data.length > MAX_FILE_BYTES) data = data.subarray(0, MAX_FILE_BYTES);
      const hash = sha256(data);
      const before = seen.get(path);
      seen.set(path, hash);
      if (registered.get(path) === hash) continue;
      // First sighting after start: a file whose content matches what is stored needs no wait.
      if (before !== hash && registered.get(path) !== 'stored') {
        unstable = true;
        continue;
      }
      await sync(path, data);
      registered.set(path, hash);
    }
    const present = new Set(files);
    for (const path of [...registered.keys()]) {
      if (present.has(path)) continue;
      await sync(path, null);
      registered.delete(path);
      seen.delete(path);
    }
    if (!unstable) {
      pending = false;
      for (const resolve of waiters) resolve();
      waiters = [];
    } else pending = true;
  }

  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (closed) return;
    running = pass()
      .catch((error: unknown) => print(`watching ${options.directory}: ${String(error)}`))
      .finally(() => {
        if (!closed) timer = setTimeout(tick, interval);
      });
  };
  tick();

  return {
    settled: () => (pending ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
      for (const resolve of waiters) resolve();
    },
  };
}

async function listSources(bucket: DagBucket): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await bucket.s3.send(
      new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: SOURCE_PREFIX, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
