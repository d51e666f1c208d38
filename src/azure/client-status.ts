import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

/** An instance's status, or null when the task hub has no such instance. */
export async function statusOrNull(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId);
  } catch (e) {
    if (/404/.test((e as Error).message)) return null;
    throw e;
  }
}

export const isEnded = (status: DurableOrchestrationStatus | null): boolean =>
  status === null || ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus);
