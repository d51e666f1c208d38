import { describe, expect, it } from 'vitest';
import type { PlanIR } from '../../src/compiler/ir.ts';
import type { RunContext } from '../../src/handlers/contract.ts';
import { startHandlerEnvironment, type HandlerEnvironment } from '../../src/local/handler-environment.ts';
import { runAzureWithHandlers } from '../../src/local/azure/run-real.ts';
import { runAwsWithHandlers } from '../../src/local/aws/run-real-aws.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import type { TaskInstanceRecord } from '../../src/runs/api/backend.ts';
import { selectCleared } from '../../src/runs/clear.ts';
import { resumeFrom, type Resume } from '../../src/runs/resume.ts';
import { planFromYaml } from '../azure/helpers.ts';

/**
 * Clear and re-run on both engines, with the real handlers against the built-in emulators: the
 * compiled ASL in aws-local-stepfunctions and the generic orchestrator in the local Durable host.
 * Each engine gets its own emulators, kept across the first run and its re-run, so their counters
 * tell which jobs the re-run submitted.
 */
const ENGINES = {
  aws: runAwsWithHandlers,
  azure: runAzureWithHandlers,
} as const;
type Engine = keyof typeof ENGINES;

const genie = (deps: string[], extra = ''): string => `
    operator: genie
    connection: genie
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit', 'version:2.4.3']
    command_arguments: 'job.py${extra}'
    expected_duration: 1m${deps.length > 0 ? `\n    depends_on: [${deps.join(', ')}]` : ''}`;

const dag = (id: string, tasks: Record<string, string>, header = ''): PlanIR =>
  planFromYaml(`dag_id: ${id}
schedule: null
max_active_tasks: 4${header}
default_args:
  execution_timeout: 1h
connections:
  genie:
    type: none
    host: 'http://genie.internal:8080'
tasks:
${Object.entries(tasks)
  .map(([task, body]) => `  ${task}:${body}`)
  .join('\n')}
`);

const runOf = (plan: PlanIR): RunContext => ({
  dag_id: plan.dag_id,
  run_id: 'manual__2026-01-01T00:00:00+00:00',
  logical_date: '2026-01-01T00:00:00.000Z',
  conf: {},
  params: {},
});

/** The run's task instances as a host records them, from what the engine reported. */
const instancesOf = (trace: RunTrace): TaskInstanceRecord[] =>
  Object.entries(trace.tasks).map(([task_id, t]) => ({
    task_id,
    state: t.state,
    try_number: t.try_number,
    start_date: null,
    end_date: null,
    tries: [],
    outputs: null,
  }));

async function withEnvironment<T>(body: (env: HandlerEnvironment) => Promise<T>): Promise<T> {
  const env = await startHandlerEnvironment(() => {});
  try {
    return await body(env);
  } finally {
    await env.close();
  }
}

const runOn = (engine: Engine, plan: PlanIR, env: HandlerEnvironment, resume?: Resume): Promise<RunTrace> =>
  ENGINES[engine](plan, { conf: {}, print: () => {}, environment: env, run: runOf(plan), resume });

const submitted = (env: HandlerEnvironment, task: string): string[] =>
  Object.keys(env.emu!.stats.submissions).filter((name) => name.includes(`-${task}-`));

const states = (trace: RunTrace): Record<string, string> =>
  Object.fromEntries(Object.entries(trace.tasks).map(([id, t]) => [id, t.state]));

describe.each(['aws', 'azure'] as const)(
  'clear and re-run on %s, real handlers against the emulators',
  (engine) => {
    it('a failed middle task and its downstream run again; the upstream job is not submitted again', async () => {
      const plan = dag('resume_chain', { a: genie([]), b: genie(['a']), c: genie(['b']) });
      await withEnvironment(async (env) => {
        env.emu!.faults.add({
          kind: 'job-fails',
          service: 'genie',
          jobName: 'resume-chain-b-*',
          afterSeconds: 5,
        });
        const first = await runOn(engine, plan, env);
        expect(first.state).toBe('failed');
        expect(states(first)).toEqual({ a: 'success', b: 'failed', c: 'upstream_failed' });

        const tis = instancesOf(first);
        const cleared = selectCleared(plan, tis, {
          task_ids: null,
          only_failed: true,
          include_downstream: true,
          include_upstream: false,
        });
        expect(cleared).toEqual(['b', 'c']);
        const again = await runOn(engine, plan, env, resumeFrom(plan, tis, new Set(cleared)));

        expect(again.state).toBe('success');
        expect(states(again)).toEqual({ a: 'success', b: 'success', c: 'success' });
        expect(again.tasks.a!.try_number).toBe(1);
        expect(again.tasks.b!.try_number).toBe(2);
        expect(again.tasks.c!.try_number).toBe(1);
        // a's job was submitted once, by the first run; b's second try is a job of its own.
        const stats = env.emu!.stats;
        expect(submitted(env, 'a').map((n) => stats.submissions[n])).toEqual([1]);
        const bJobs = submitted(env, 'b');
        expect(bJobs).toHaveLength(2);
        expect(bJobs.filter((n) => n.includes('-try2-'))).toHaveLength(1);
        expect(stats.duplicates()).toEqual({});
        expect(submitted(env, 'c')).toHaveLength(1);
      });
    });

    it('a task whose try was in flight (its host died) runs that same try: submit finds the job it created', async () => {
      const plan = dag('resume_in_flight', { a: genie([]), b: genie(['a']) });
      await withEnvironment(async (env) => {
        const first = await runOn(engine, plan, env);
        expect(first.state).toBe('success');
        const tis = instancesOf(first).map((ti) =>
          ti.task_id === 'b' ? { ...ti, state: 'running' as const } : ti,
        );
        const again = await runOn(engine, plan, env, resumeFrom(plan, tis, new Set()));
        expect(again.state).toBe('success');
        expect(again.tasks.b!.try_number).toBe(1);
        expect(first.tasks.b!.job_id).toMatch(/^resume-in-flight-b-/);
        expect(again.tasks.b!.job_id).toBe(first.tasks.b!.job_id);
        expect(env.emu!.stats.submissions).toEqual({
          [submitted(env, 'a')[0]!]: 1,
          [submitted(env, 'b')[0]!]: 1,
        });
      });
    });

    it("a kept task's outputs reach a downstream template", async () => {
      const plan = dag('resume_outputs', {
        a: genie([]),
        b: genie(['a'], ' --input {{ tasks.a.output.job_id }}'),
      });
      await withEnvironment(async (env) => {
        const tis: TaskInstanceRecord[] = [
          {
            task_id: 'a',
            state: 'success',
            try_number: 1,
            start_date: null,
            end_date: null,
            tries: [],
            outputs: { job_id: 'kept-job-of-a' },
          },
          {
            task_id: 'b',
            state: 'failed',
            try_number: 1,
            start_date: null,
            end_date: null,
            tries: [],
            outputs: null,
          },
        ];
        const trace = await runOn(engine, plan, env, resumeFrom(plan, tis, new Set(['b'])));
        expect(trace.state).toBe('success');
        expect(submitted(env, 'a')).toEqual([]);
        const jobs = [...env.emu!.state.genie.jobs.values()];
        expect(jobs.map((j) => j.request.commandArgs)).toEqual(['job.py --input kept-job-of-a']);
      });
    });

    it('kept skipped and upstream_failed outcomes decide the trigger rules of the tasks run again', async () => {
      const plan = dag('resume_kept_states', {
        a: genie([]),
        b: genie(['a']),
        c: genie([]),
        d: `${genie(['c'])}\n    trigger_rule: all_done`,
      });
      await withEnvironment(async (env) => {
        const ti = (
          task_id: string,
          state: TaskInstanceRecord['state'],
          try_number: number,
        ): TaskInstanceRecord => ({
          task_id,
          state,
          try_number,
          start_date: null,
          end_date: null,
          tries: [],
          outputs: null,
        });
        const tis = [
          ti('a', 'skipped', 0),
          ti('b', 'failed', 1),
          ti('c', 'upstream_failed', 0),
          ti('d', 'failed', 2),
        ];
        const trace = await runOn(engine, plan, env, resumeFrom(plan, tis, new Set(['b', 'd'])));
        expect(states(trace)).toEqual({ a: 'skipped', b: 'skipped', c: 'upstream_failed', d: 'success' });
        // The leaves are b (skipped) and d (success): the run succeeds, computed from every task.
        expect(trace.state).toBe('success');
        expect(trace.tasks.d!.try_number).toBe(3);
        expect(Object.keys(env.emu!.stats.submissions)).toEqual([expect.stringContaining('-d-')]);
      });
    });

    it('gated shape (not series-parallel) and a binding max_active_tasks: kept ends reach the gates', async () => {
      // a -> c, a -> d, b -> d (an N: not series-parallel), e and f beside; two slots for six job tasks.
      const plan = dag(
        'resume_gated',
        { a: genie([]), b: genie([]), c: genie(['a']), d: genie(['a', 'b']), e: genie([]), f: genie(['e']) },
        '',
      );
      const capped: PlanIR = { ...plan, max_active_tasks: 2 };
      await withEnvironment(async (env) => {
        env.emu!.faults.add({
          kind: 'job-fails',
          service: 'genie',
          jobName: 'resume-gated-b-*',
          afterSeconds: 5,
        });
        const first = await runOn(engine, capped, env);
        expect(states(first)).toEqual({
          a: 'success',
          b: 'failed',
          c: 'success',
          d: 'upstream_failed',
          e: 'success',
          f: 'success',
        });
        const tis = instancesOf(first);
        const cleared = selectCleared(capped, tis, {
          task_ids: ['b'],
          only_failed: false,
          include_downstream: true,
          include_upstream: false,
        });
        expect(cleared).toEqual(['b', 'd']);
        const again = await runOn(engine, capped, env, resumeFrom(capped, tis, new Set(cleared)));
        expect(again.state).toBe('success');
        expect(Object.values(states(again)).every((s) => s === 'success')).toBe(true);
        for (const kept of ['a', 'c', 'e', 'f']) expect(submitted(env, kept), kept).toHaveLength(1);
        expect(submitted(env, 'b')).toHaveLength(2);
        expect(submitted(env, 'd')).toHaveLength(1);
      });
    });
  },
);

describe.each(['aws', 'azure'] as const)('clear and re-run on %s, structural shape', (engine) => {
  it('a kept skipped upstream skips the cleared task after it (all_success)', async () => {
    const plan = dag('resume_structural', { a: genie([]), b: genie(['a']) });
    await withEnvironment(async (env) => {
      const tis: TaskInstanceRecord[] = ['a', 'b'].map((task_id) => ({
        task_id,
        state: task_id === 'a' ? 'skipped' : 'failed',
        try_number: task_id === 'a' ? 0 : 1,
        start_date: null,
        end_date: null,
        tries: [],
        outputs: null,
      }));
      const trace = await runOn(engine, plan, env, resumeFrom(plan, tis, new Set(['b'])));
      expect(states(trace)).toEqual({ a: 'skipped', b: 'skipped' });
      expect(trace.state).toBe('success');
      expect(env.emu!.stats.submissions).toEqual({});
    });
  });
});
