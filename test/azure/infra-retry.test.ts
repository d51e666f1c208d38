import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { FN, runInstanceId, type RunInput, type RunResult } from '../../src/azure/contract.ts';
import { registerDurableFunctions } from '../../src/azure/register.ts';
import { registry } from '../../src/local/azure/fake-core.ts';
import { EventType } from '../../src/local/azure/history.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { AirlessError } from '../../src/errors.ts';
import { genieTask, planFromYaml, runOf } from './helpers.ts';

let local: LocalDurable | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
});

type Handler = (input: unknown, context: InvocationContext) => unknown;

/** A host whose notify activity is wrapped: `wrap` gets the real one. */
async function withNotify(wrap: (notify: Handler) => Handler): Promise<LocalDurable> {
  return openLocalDurable({
    clock: 'virtual',
    startMs: 0,
    register: () => {
      registerDurableFunctions({ handleTask: () => Promise.reject(new Error('unused')) });
      const notify = registry.get(FN.notify)!.handler as Handler;
      df.app.activity(FN.notify, { extraInputs: [df.input.durableClient()], handler: wrap(notify) as never });
    },
  });
}

describe("airless's own activities", () => {
  it('a notification that fails is retried on durable timers, so the run still learns the outcome', async () => {
    let failures = 2;
    local = await withNotify((notify) => async (input, context) => {
      if (failures-- > 0) throw new Error('the extension did not answer');
      return notify(input, context);
    });
    const plan = planFromYaml(
      `dag_id: flaky\ntasks:\n  a:${genieTask('')}\n  b:${genieTask('')}\n    depends_on: [a]\n`,
    );
    const id = runInstanceId(plan.dag_id, 'r1');
    const input: RunInput = { plan, run: runOf(plan), simulate: { fail: [] } };
    local.host.startNew(FN.run, id, input);
    const status = await local.host.waitFor(id);
    expect((status.output as RunResult).state).toBe('success');
    const a = local.host.historyOf(`${id}|a`);
    expect(a.filter((e) => e.EventType === EventType.TaskFailed)).toHaveLength(2);
    // The task ended at 60 s; the run saw it after the 1 s and 2 s retry timers.
    expect((status.output as RunResult).tasks.b?.start_s).toBe(63);
  });

  it('a notification delivered twice (a retry after a lost answer) counts once', async () => {
    local = await withNotify((notify) => async (input, context) => {
      await notify(input, context);
      return notify(input, context);
    });
    const plan = planFromYaml(
      `dag_id: twice\nmax_active_tasks: 1\ntasks:\n  a:${genieTask('')}\n  b:${genieTask('')}\n  c:${genieTask('')}\n    depends_on: [a, b]\n`,
    );
    const id = runInstanceId(plan.dag_id, 'r1');
    local.host.startNew(FN.run, id, { plan, run: runOf(plan), simulate: { fail: ['b'] } } satisfies RunInput);
    const result = (await local.host.waitFor(id)).output as RunResult;
    expect(
      Object.fromEntries(Object.entries(result.tasks).map(([k, v]) => [k, [v.state, v.start_s]])),
    ).toEqual({
      a: ['success', 0],
      b: ['failed', 60],
      c: ['upstream_failed', 120],
    });
  });

  it('a task whose own machinery keeps failing still reports failed, so the run ends', async () => {
    local = await openLocalDurable({
      clock: 'virtual',
      startMs: 0,
      register: () => {
        registerDurableFunctions({
          handleTask: async (inv) => {
            if (inv.op === 'submit')
              return {
                job: { operator: 'genie', job_name: 'j', job_id: 'j', handle: {}, submitted_at: 'x' },
              };
            throw new AirlessError('StillRunning', 'never ends');
          },
        });
        df.app.activity(FN.stopJob, {
          handler: async () => {
            throw new Error('the extension did not answer');
          },
        });
      },
    });
    const plan = planFromYaml(
      `dag_id: stuck\ntasks:\n  a:${genieTask('\n    execution_timeout: 5m')}\n  b:\n    operator: empty\n    depends_on: [a]\n    trigger_rule: all_done\n`,
    );
    const id = runInstanceId(plan.dag_id, 'r1');
    const input: RunInput = { plan, run: runOf(plan), simulate: null };
    local.host.startNew(FN.run, id, input);
    // The job orchestration was never stopped and polls on: run the clock an hour, not forever.
    await local.host.runUntilIdle(3_600_000);
    const result = local.host.status(id)!.output as RunResult;
    expect(result.tasks.a).toMatchObject({ state: 'failed', try_number: 1 });
    expect(result.tasks.b?.state).toBe('success');
    const done = local.host.status(`${id}|a`)!.output as { error: { name: string } };
    expect(done.error.name).toBe('OrchestrationFailed');
  });
});
