import { AirlessError } from '../../errors.ts';
import { pollDelays, pollSchedule } from '../../compiler/aws/polling.ts';
import { retryDelays } from '../../compiler/aws/retry-delays.ts';
import type { PlanIR, TaskIR } from '../../compiler/ir.ts';
import { OPERATOR_OUTPUTS } from '../../dag/operators.ts';
import type { TaskInvocation } from '../../handlers/contract.ts';

/**
 * Stands in for the task handler in `airless run --simulate`. Each try of a task takes its
 * expected_duration of virtual time; a job is polled on the compiled schedule and answers
 * StillRunning until that time has passed. A task listed in `fail` fails every try (JobFailed).
 *
 * Virtual time comes from the workflow state: a task starts at the end of what its `clock` names
 * (the task before it on its path, or at a Parallel join the latest of the branches' clocks), so
 * added orderings and joins show up as later starts. A retry starts after Airflow's nominal delay.
 */
export interface SimulatedTask {
  tries: number;
  start_s: number;
  end_s: number;
  try_start_s: number;
  polls: number;
}

type Clock = string | null | Clock[];

export class Simulator {
  readonly tasks = new Map<string, SimulatedTask>();
  private readonly byId: Map<string, TaskIR>;

  constructor(
    plan: PlanIR,
    private readonly fail: ReadonlySet<string>,
  ) {
    this.byId = new Map(plan.tasks.map((t) => [t.task_id, t]));
    for (const id of fail) if (!this.byId.has(id)) throw new Error(`--fail names an unknown task: ${id}`);
  }

  readonly handle = async (payload: unknown): Promise<unknown> => {
    const call = payload as TaskInvocation & { clock: Clock };
    const task = this.byId.get(call.task.task_id);
    if (!task) throw new AirlessError('BadInput', `unknown task ${call.task.task_id}`);
    if (call.op === 'submit') return this.submit(task, call.try_number, call.clock);
    if (call.op === 'poll') return this.poll(task);
    throw new AirlessError('BadInput', `the simulator does not ${call.op}`);
  };

  private submit(task: TaskIR, tryNumber: number, clock: Clock): unknown {
    const previous = this.tasks.get(task.task_id);
    const start =
      tryNumber === 1 || !previous ? this.resolve(clock) : previous.end_s + retryDelays(task)[tryNumber - 2]!;
    const sim: SimulatedTask = {
      tries: tryNumber,
      start_s: previous?.start_s ?? start,
      end_s: start,
      try_start_s: start,
      polls: 0,
    };
    this.tasks.set(task.task_id, sim);
    if (task.wait_for === null) {
      sim.end_s = start + task.expected_duration_s;
      if (this.fail.has(task.task_id))
        throw new AirlessError('JobFailed', `${task.task_id} fails (simulated)`);
      return {};
    }
    return {
      job: {
        operator: task.operator,
        job_name: `${task.task_id}-try${tryNumber}`,
        job_id: `sim-${task.task_id}-${tryNumber}`,
        handle: {},
        submitted_at: new Date(start * 1000).toISOString(),
      },
    };
  }

  private poll(task: TaskIR): unknown {
    const sim = this.tasks.get(task.task_id);
    if (!sim) throw new AirlessError('BadInput', `${task.task_id} polled before submit`);
    const delay = pollDelays(pollSchedule(task));
    let at = sim.try_start_s;
    for (let k = 0; k < sim.polls; k++) at += delay(k);
    const finish = sim.try_start_s + task.expected_duration_s;
    if (at < finish) {
      sim.polls++;
      sim.end_s = at;
      throw new AirlessError('StillRunning', `${task.task_id} still running at ${at} s (simulated)`);
    }
    sim.end_s = finish;
    if (this.fail.has(task.task_id))
      throw new AirlessError('JobFailed', `${task.task_id} failed (simulated)`);
    const output = Object.fromEntries(OPERATOR_OUTPUTS[task.operator].map((f) => [f, `sim-${f}`]));
    return { output: { ...output, job_id: `sim-${task.task_id}-${sim.tries}`, status: task.wait_for } };
  }

  /** The virtual time a clock stands for: when the named task ended, the latest of an array, or 0. */
  private resolve(clock: Clock): number {
    if (clock === null) return 0;
    if (Array.isArray(clock)) return clock.reduce<number>((max, c) => Math.max(max, this.resolve(c)), 0);
    const ran = this.tasks.get(clock);
    if (!ran) throw new Error(`clock names ${clock}, which has not run`);
    return ran.end_s;
  }
}
