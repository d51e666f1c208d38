import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FN } from '../../src/azure/contract.ts';
import { runWithHandlers } from '../../src/local/azure/run-real.ts';
import { startHandlerEnvironment, type HandlerEnvironment } from '../../src/local/handler-environment.ts';
import { planFromYaml, runOf } from './helpers.ts';

let env: HandlerEnvironment;
beforeAll(async () => {
  env = await startHandlerEnvironment(() => undefined);
});
afterAll(async () => {
  await env?.close();
});

describe('no secret in motion (Durable)', () => {
  it('no token or secret value in any history, input, output, custom status or entity state', async () => {
    const plan = planFromYaml(readFileSync('dags/flink_wordcount.yaml', 'utf8'));
    const conf = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<string, never>;
    const run = { ...runOf(plan, 'secret-check'), conf, params: conf };
    const { report, host } = await runWithHandlers(plan, run, env, () => undefined);
    expect(report.result.state).toBe('success');

    const everything = JSON.stringify([
      ...[...host.instances.keys()].map((i) => [host.status(i), host.historyOf(i)]),
      host.readEntity(`@${FN.slots}@${plan.dag_id}`),
    ]);
    const sensitive = env.emu!.sensitiveValues().filter((v) => v.length >= 8);
    expect(sensitive.length).toBeGreaterThan(1);
    for (const value of sensitive) expect(everything.includes(value), 'a sensitive value leaked').toBe(false);
    expect(everything).toContain('api-secret');
  });
});
