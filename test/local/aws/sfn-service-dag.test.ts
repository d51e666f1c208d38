import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnTaskTokens } from '../../../src/aws/sfn-task-tokens.ts';
import type { PlanIR } from '../../../src/compiler/ir.ts';
import { handlerCalls, readHistory, unfinishedJobs } from '../../../src/aws/execution-history.ts';
import { executionInput } from '../../../src/aws/run-queue.ts';
import { runStateOf } from '../../../src/aws/run-finished.ts';
import { taskInstances } from '../../../src/aws/task-instances.ts';
import type { RunRecord } from '../../../src/runs/run-store.ts';
import { compileDag } from '../../../src/aws/registry/compile-dag.ts';
import { publishLive } from '../../../src/aws/registry/state-machine-deploy.ts';
import { MemoryGateStore } from '../../../src/local/aws/memory-gate-store.ts';
import {
  airlessFunctions,
  LOCAL_GATE_HANDLER_ARN,
  LOCAL_TASK_HANDLER_ARN,
} from '../../../src/local/aws/sfn-service/airless-functions.ts';
import type { StatusChangeEvent } from '../../../src/local/aws/sfn-service/status-change.ts';
import { type HandlerEnvironment, startHandlerEnvironment } from '../../../src/local/handler-environment.ts';
import { manualRunContext } from '../../../src/local/simulate/run-context.ts';
import { ROLE, startService } from './sfn-service-fixtures.ts';

let env: HandlerEnvironment;
beforeAll(async () => {
  // Polls retry at once (delays: instant), so a job must end within the polls' real milliseconds:
  // emulated jobs run 30 emulated seconds, 30 µs here (at 30 ms, a burst of polls could outrun one).
  env = await startHandlerEnvironment(() => undefined, { timeScale: 1_000_000 });
});
afterAll(() => env.close());

/** Compiled and deployed as the registry does: placeholders substituted, published, `live` alias. */
async function deploy(sfn: Parameters<typeof publishLive>[0], file: string, now: Date) {
  const compiled = compileDag(readFileSync(file, 'utf8'), file, now);
  if (!compiled.ok) throw new Error(`${file} does not compile`);
  const definition = compiled.asl
    .split('${TaskHandlerArn}')
    .join(LOCAL_TASK_HANDLER_ARN)
    .split('${GateHandlerArn}')
    .join(LOCAL_GATE_HANDLER_ARN);
  const name = `airless-${compiled.ir.dag_id}`;
  const live = await publishLive(sfn, {
    name,
    arn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
    definition,
    roleArn: ROLE,
    versionDescription: `${compiled.ir.dag_id} sha256:${compiled.ir.source_sha256}`,
  });
  return { live, plan: JSON.parse(compiled.plan) as PlanIR };
}

describe('local Step Functions service: a compiled DAG with the real handlers', () => {
  it('runs movielens_genie (Parallel fork, gate callbacks over the API, Genie polls); describeRun reads it', async () => {
    const events: StatusChangeEvent[] = [];
    const store = new MemoryGateStore();
    // The gate handler wakes parked tasks through the service's own API, as the deployed Lambda does.
    const wake: { tokens?: SfnTaskTokens } = {};
    const started = await startService({
      delays: 'instant',
      functions: airlessFunctions({ handlers: env.deps, gates: store, tokens: () => wake.tokens! }),
      onExecutionStatusChange: (e) => void events.push(e),
    });
    const { sfn, service } = started;
    wake.tokens = new SfnTaskTokens(sfn);
    try {
      const now = new Date('2026-11-21T10:00:00Z');
      const { live, plan } = await deploy(sfn, 'dags/movielens_genie.yaml', now);
      const run = manualRunContext(plan, { bucket: 'demo-bucket' }, now);
      const record: RunRecord = {
        dag_id: run.dag_id,
        run_id: run.run_id,
        run_type: 'manual',
        logical_date: run.logical_date,
        conf: run.conf,
        params: run.params,
        request_hash: 'h',
        queued_at: now.toISOString(),
        execution_name: 'movielens-run-1',
        state: 'running',
        execution_arn: null,
        executions: [],
        pending_resume: null,
        start_date: null,
        end_date: null,
      };
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: live.aliasArn,
          name: record.execution_name,
          input: JSON.stringify(executionInput(record)),
        }),
      );
      await service.whenEnded(executionArn!);

      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect([execution.status, execution.error, execution.cause]).toEqual([
        'SUCCEEDED',
        undefined,
        undefined,
      ]);
      expect(execution.stateMachineVersionArn).toBe(live.versionArn);
      expect(runStateOf(execution.status!, execution.output)).toBe('success');

      const history = await readHistory(sfn, executionArn!);
      const calls = handlerCalls(history);
      const tasks = plan.tasks.map((t) => t.task_id);
      for (const id of tasks) {
        const mine = calls.filter((c) => c.invocation.task.task_id === id);
        expect(mine[0]!.invocation.op, id).toBe('submit');
        expect(mine.at(-1)!, id).toMatchObject({ outcome: 'succeeded', invocation: { op: 'poll' } });
        expect(
          mine.filter((c) => c.outcome === 'pending'),
          id,
        ).toEqual([]);
      }
      expect(unfinishedJobs(calls)).toEqual([]);
      expect(history.some((e) => e.type === 'ParallelStateStarted')).toBe(true);
      expect(history.filter((e) => e.type === 'TaskSubmitted').length).toBeGreaterThan(0);
      expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
      for (const e of history.slice(1)) expect(e.previousEventId!).toBeLessThan(e.id!);

      expect(execution.status).toBe('SUCCEEDED');
      const instances = taskInstances(plan, [{ events: history, ended: true }]);
      expect(instances.map((t) => [t.task_id, t.state, t.try_number])).toEqual(
        tasks.map((id) => [id, 'success', 1]),
      );
      expect(instances.every((t) => t.end_date !== null)).toBe(true);

      const end = events.find(
        (e) => e.detail.executionArn === executionArn && e.detail.status !== 'RUNNING',
      )!;
      expect(end.detail).toMatchObject({ status: 'SUCCEEDED', output: execution.output });
    } finally {
      await started.close();
    }
  });
});
