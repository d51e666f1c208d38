import type { ContainerClient } from '@azure/storage-blob';

/** A JSON record in a blob and the ETag it was read at (the condition of the next write). */
export interface Versioned<T> {
  value: T;
  etag: string;
}

const statusOf = (e: unknown): number | undefined => (e as { statusCode?: number }).statusCode;
const JSON_HEADERS = { blobHTTPHeaders: { blobContentType: 'application/json' } };

/**
 * JSON records in a container, written only under a condition: create when absent
 * (If-None-Match: *) or replace the version read (If-Match: etag). A lost race answers false, so
 * every read-modify-write is retried by its caller from a fresh read, never applied blindly.
 */
export class BlobRecords {
  constructor(readonly container: ContainerClient) {}

  async read<T>(name: string): Promise<Versioned<T> | null> {
    try {
      const blob = this.container.getBlobClient(name);
      const res = await blob.download();
      const text = (await streamText(res.readableStreamBody)).toString();
      return { value: JSON.parse(text) as T, etag: res.etag! };
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  /** Writes `value` if the blob is absent (etag null) or still at `etag`; false when another write won. */
  async write(name: string, value: unknown, etag: string | null): Promise<boolean> {
    const text = JSON.stringify(value);
    try {
      await this.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        ...JSON_HEADERS,
        conditions: etag === null ? { ifNoneMatch: '*' } : { ifMatch: etag },
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 412) return false;
      throw e;
    }
  }

  /** Applies `change` to the record (null when absent) until a conditional write of its result wins. */
  async update<T>(name: string, change: (current: T | null) => T): Promise<T> {
    for (;;) {
      const current = await this.read<T>(name);
      const next = change(current?.value ?? null);
      if (await this.write(name, next, current?.etag ?? null)) return next;
    }
  }

  /** The next number of a counter (1, 2, ...): ids no two writers ever share. */
  async nextId(counter: string): Promise<number> {
    const next = await this.update<{ last: number }>(`counters/${counter}.json`, (c) => ({
      last: (c?.last ?? 0) + 1,
    }));
    return next.last;
  }

  async names(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }
}

async function streamText(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream === undefined) return Buffer.alloc(0);
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
