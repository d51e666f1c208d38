import type { OrchestrationContext, Task } from 'durable-functions';
import type { FinalTaskState, TaskIR } from '../../compiler/ir.ts';
import {
  FN,
  PROGRESS_CODES,
  TASK_DONE_EVENT,
  taskInstanceId,
  type RunInput,
  type RunProgress,
  type RunResult,
  type TaskDone,
  type TaskInput,
  type TaskRecord,
} from '../contract.ts';
import { DagRunState } from '../../semantics/dag-run-state.ts';
import { callInfraActivity } from './activity-retry.ts';
import { acquireRunSlot, releaseRunSlot } from './run-slots.ts';
import { taskSpecOf } from './task-spec.ts';

/**
 * The generic run orchestrator: one instance per DAG run, reading only the plan in its input.
 * Each task runs in its own orchestration (airless_task) that reports back with an external event,
 * so the run waits on exactly one new Durable task at a time and never re-yields a scheduled one
 * (the out-of-process protocol would schedule it again). A task starts as soon as its trigger rule
 * decides, bounded only by max_active_tasks.
 */
export function* runOrchestrator(context: OrchestrationContext): Generator<Task, RunResult, unknown> {
  const input = context.df.getInput() as RunInput;
  context.df.setCustomStatus({ state: 'queued' } satisfies RunProgress);
  yield* acquireRunSlot(context, input.plan.dag_id, input.plan.max_active_runs);
  let result: RunResult;
  try {
    result = yield* runTasks(context, input);
  } catch (e) {
    // Even a run that breaks gives its max_active_runs slot back.
    yield* releaseRunSlot(context, input.plan.dag_id);
    throw e;
  }
  yield* releaseRunSlot(context, input.plan.dag_id);
  return result;
}

function* runTasks(context: OrchestrationContext, input: RunInput): Generator<Task, RunResult, unknown> {
  const { plan, run } = input;
  const t0 = context.df.currentUtcDateTime.getTime();
  const secondsSince = (iso?: string): number =>
    ((iso === undefined ? context.df.currentUtcDateTime.getTime() : Date.parse(iso)) - t0) / 1000;

  const state = new DagRunState(plan);
  const tasks: Record<string, TaskRecord> = {};
  const outputs: Record<string, Record<string, unknown>> = {};
  const index = new Map(plan.tasks.map((t, i) => [t.task_id, i]));
  const progress: string[] = plan.tasks.map(() => '.');
  const settle = (id: string, s: FinalTaskState, rec?: Partial<TaskRecord>): void => {
    progress[index.get(id)!] = PROGRESS_CODES[s];
    const now = secondsSince();
    tasks[id] = { state: s, try_number: 0, start_s: now, end_s: now, ...rec };
  };

  // A re-run: the kept tasks stand as recorded before anything starts (in plan order, so a kept
  // task's upstream is settled first), and the others' tries count on from their try_base.
  const resume = input.resume;
  for (const task of plan.tasks) {
    const kept = resume?.prior[task.task_id];
    if (kept === undefined) continue;
    state.keep(task.task_id, kept.state);
    settle(task.task_id, kept.state, { try_number: kept.try_number });
    outputs[task.task_id] = kept.outputs ?? {};
  }

  for (;;) {
    const launches: Array<{ instance_id: string; input: TaskInput }> = [];
    for (let inline = true; inline;) {
      inline = false;
      const { start, settled } = state.advance();
      for (const s of settled) settle(s.task_id, s.state);
      for (const task of start) {
        if (task.operator === 'empty' && input.simulate === null) {
          // Nothing to execute: an empty task succeeds where it stands, and may unblock others.
          state.complete(task.task_id, 'success');
          settle(task.task_id, 'success', { try_number: (resume?.try_base[task.task_id] ?? 0) + 1 });
          outputs[task.task_id] = {};
          inline = true;
        } else {
          launches.push({
            instance_id: taskInstanceId(context.df.instanceId, task.task_id),
            input: taskInput(task),
          });
        }
      }
    }
    for (const l of launches) progress[index.get(l.input.task.task_id)!] = PROGRESS_CODES.running;
    context.df.setCustomStatus({
      state: 'running',
      started_at: new Date(t0).toISOString(),
      tasks: progress.join(''),
    } satisfies RunProgress);
    if (launches.length > 0) yield* callInfraActivity(context, FN.startTasks, { tasks: launches });
    if (state.done) break;
    const done = (yield context.df.waitForExternalEvent(TASK_DONE_EVENT)) as TaskDone;
    // A retried notification may arrive twice: only the first report of a running task counts.
    if (!state.isRunning(done.task_id)) continue;
    state.complete(done.task_id, done.state);
    outputs[done.task_id] = done.output;
    settle(done.task_id, done.state, {
      try_number: done.try_number,
      start_s: secondsSince(done.started_at),
      end_s: secondsSince(done.ended_at),
    });
  }

  return {
    dag_id: plan.dag_id,
    run_id: run.run_id,
    state: state.outcome(),
    started_at: new Date(t0).toISOString(),
    ended_at: context.df.currentUtcDateTime.toISOString(),
    tasks,
  };

  function taskInput(task: TaskIR): TaskInput {
    const upstream: TaskInput['upstream'] = {};
    for (const r of task.reads) upstream[r.task] = outputs[r.task] ?? {};
    return {
      run_instance: context.df.instanceId,
      task,
      spec: taskSpecOf(plan, task),
      run,
      upstream,
      simulate: input.simulate === null ? null : { fail: input.simulate.fail.includes(task.task_id) },
      ...(resume?.try_base[task.task_id] ? { try_base: resume.try_base[task.task_id] } : {}),
    };
  }
}
