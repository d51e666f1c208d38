import { SFNClient } from '@aws-sdk/client-sfn';
import { LocalSfnService, type LocalSfnOptions } from '../../../src/local/aws/sfn-service/service.ts';

export const ROLE = 'arn:aws:iam::000000000000:role/workflow';
export const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** The service on a loopback port and the real SDK client pointed at it. */
export async function startService(options: LocalSfnOptions = {}) {
  const service = new LocalSfnService(options);
  const endpoint = await service.listen();
  const sfn = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    service,
    sfn,
    endpoint,
    close: async () => {
      sfn.destroy();
      await service.close();
    },
  };
}

/** A deferred: a promise with its resolve, for functions a test releases. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits (bounded) until `cond` holds. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!cond()) throw new Error(`never happened: ${what}`);
}
