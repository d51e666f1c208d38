import { expect } from 'vitest';

/** Uploads a (fake) jar to a JobManager at `base` and returns its jar id (the file's basename). */
export async function uploadJar(base: string, name = 'wordcount.jar'): Promise<string> {
  const form = new FormData();
  form.append(
    'jarfile',
    new Blob([Buffer.from('PK\u0003\u0004 fake jar')], { type: 'application/x-java-archive' }),
    name,
  );
  const res = await fetch(`${base}/jars/upload`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { filename: string; status: string };
  expect(body.status).toBe('success');
  return body.filename.split('/').at(-1) ?? '';
}

/** Uploads a jar and runs it with `body` (a JarRunRequestBody); returns the job id. */
export async function startFlinkJob(base: string, body: Record<string, unknown>): Promise<string> {
  const jarId = await uploadJar(base);
  const res = await fetch(`${base}/jars/${jarId}/run`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { jobid: string }).jobid;
}
