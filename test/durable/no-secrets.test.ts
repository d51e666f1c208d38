import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FN, runInstanceId, type RunInput, type RunResult } from '../../src/durable/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/durable-host/index.ts';
import { startEmulators, type RunningEmulators } from '../../src/local/emulators/index.ts';
import { emulatorCredential, emulatorRuntime } from '../../src/local/run-real-aws.ts';
import { planFromYaml, runOf } from './helpers.ts';

let emu: RunningEmulators;
let local: LocalDurable;
beforeAll(async () => {
  emu = await startEmulators({ timeScale: 1000 });
});
afterAll(async () => {
  await local?.close();
  await emu?.close();
});

describe('no secret in motion (Durable)', () => {
  it('no token or secret value in any history, input, output, custom status or entity state', async () => {
    const plan = planFromYaml(readFileSync('dags/flink_wordcount.yaml', 'utf8'));
    const conf = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<string, never>;
    const deps = {
      runtime: emulatorRuntime(emu),
      log: () => undefined,
      secretClients: { keyVaultCredential: () => emulatorCredential(emu) },
    };
    local = await openLocalDurable({ clock: 'virtual', handleTask: (inv) => handleTask(inv, deps) });
    const id = runInstanceId(plan.dag_id, 'secret-check');
    const input: RunInput = {
      plan,
      run: { ...runOf(plan, 'secret-check'), conf, params: conf },
      simulate: null,
    };
    local.host.startNew(FN.run, id, input);
    const status = await local.host.waitFor(id);
    expect((status.output as RunResult).state).toBe('success');

    const everything = JSON.stringify([
      ...[...local.host.instances.keys()].map((i) => [local.host.status(i), local.host.historyOf(i)]),
      local.host.readEntity(`@${FN.slots}@${plan.dag_id}`),
    ]);
    const sensitive = emu.sensitiveValues().filter((v) => v.length >= 8);
    expect(sensitive.length).toBeGreaterThan(1);
    for (const value of sensitive) expect(everything.includes(value), 'a sensitive value leaked').toBe(false);
    expect(everything).toContain('api-secret');
  });
});
