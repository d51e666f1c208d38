import { describe, expect, it } from 'vitest';
import { registry } from '../../src/local/azure/fake-core.ts';

describe('functions/index.ts, the Functions entry point', () => {
  it('registers every function with the trigger and bindings the Functions host needs', async () => {
    process.env.AzureWebJobsStorage ??= 'UseDevelopmentStorage=true';
    await import('../../functions/index.ts');
    const triggers = Object.fromEntries(
      [...registry.values()].map((r) => {
        const bindings = Object.values(r.metadata.bindings) as Array<Record<string, unknown>>;
        const trigger = bindings.find((b) => String(b.type).endsWith('Trigger'))!;
        const client = bindings.some((b) => b.type === 'durableClient');
        return [
          r.metadata.name,
          {
            type: trigger.type,
            route: trigger.route,
            path: trigger.path,
            schedule: trigger.schedule,
            authLevel: trigger.authLevel,
            client,
          },
        ];
      }),
    );
    expect(triggers).toMatchObject({
      airless_run: { type: 'orchestrationTrigger' },
      airless_task: { type: 'orchestrationTrigger' },
      airless_job: { type: 'orchestrationTrigger' },
      airless_run_slots: { type: 'entityTrigger' },
      airless_task_handler: { type: 'activityTrigger', client: false },
      airless_start_tasks: { type: 'activityTrigger', client: true },
      airless_notify: { type: 'activityTrigger', client: true },
      airless_stop_job: { type: 'activityTrigger', client: true },
      airless_reap_slots: { type: 'activityTrigger', client: true },
      api: { type: 'httpTrigger', route: 'api/v2/{*path}', client: true, authLevel: 'function' },
      registerDag: { type: 'blobTrigger', path: 'dags/{name}' },
      scheduleTick: { type: 'timerTrigger', schedule: '0 * * * * *', client: true },
      dataTrigger: { type: 'eventGridTrigger', client: true },
    });
    expect(Object.keys(triggers)).toHaveLength(13);
  });
});
