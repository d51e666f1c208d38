import { AirlessError } from '../../errors.ts';
import { pollTime } from '../../compiler/aws/emit/polling.ts';
import { retryDelays } from '../../compiler/aws/emit/retry-delays.ts';
import type { PlanIR, TaskIR } from '../../compiler/ir.ts';
import { OPERATOR_OUTPUTS } from '../../dag/operators/outputs.ts';
import type { TaskInvocation } from '../../handlers/contract.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * Stands in for the task handler in `airless run --simulate --engine aws`, on a virtual clock
 * (virtual-clock.ts) rather than anything in the workflow state. A try starts when its call is
 * made (a retry first sleeps Airflow's nominal delay after the failed try) and takes
 * expected_duration: an empty task's one call sleeps that long; a job's polls sleep to their times
 * on the compiled schedule (try start + the poll delays) and answer StillRunning until the job's
 * end, and the poll that would pass the end returns at the end itself, as the Durable simulation's
 * timer does. A task listed in `fail` fails every try (JobFailed).
 */
export interface SimulatedTask {
  tries: number;
  start_s: number;
  end_s: number;
  try_start_s: number;
  polls: number;
}

export class Simulator {
  readonly tasks = new Map<string, SimulatedTask>();
  private readonly byId: Map<string, TaskIR>;

  constructor(
    plan: PlanIR,
    private readonly fail: ReadonlySet<string>,
    private readonly clock: VirtualClock,
    /** A re-run's try bases: its n-th try of a task is try_base + n. */
    private readonly tryBase: Readonly<Record<string, number>> = {},
  ) {
    this.byId = new Map(plan.tasks.map((t) => [t.task_id, t]));
    for (const id of fail) if (!this.byId.has(id)) throw new Error(`--fail names an unknown task: ${id}`);
  }

  readonly handle = async (payload: unknown): Promise<unknown> => {
    const call = payload as TaskInvocation;
    const task = this.byId.get(call.task.task_id);
    if (!task) throw new AirlessError('BadInput', `unknown task ${call.task.task_id}`);
    if (call.op === 'submit') return this.submit(task, call.try_number);
    if (call.op === 'poll') return this.poll(task);
    throw new AirlessError('BadInput', `the simulator does not ${call.op}`);
  };

  private async submit(task: TaskIR, tryNumber: number): Promise<unknown> {
    const previous = this.tasks.get(task.task_id);
    const nth = tryNumber - (this.tryBase[task.task_id] ?? 0);
    if (nth > 1 && previous) {
      await this.clock.sleepUntil(previous.end_s + retryDelays(task)[nth - 2]!);
    }
    const start = this.clock.now;
    const sim: SimulatedTask = {
      tries: tryNumber,
      start_s: previous?.start_s ?? start,
      end_s: start,
      try_start_s: start,
      polls: 0,
    };
    this.tasks.set(task.task_id, sim);
    if (task.wait_for === null) {
      await this.clock.sleepUntil(start + task.expected_duration_s);
      sim.end_s = this.clock.now;
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

  private async poll(task: TaskIR): Promise<unknown> {
    const sim = this.tasks.get(task.task_id);
    if (!sim) throw new AirlessError('BadInput', `${task.task_id} polled before submit`);
    const at = pollTime(task, sim.try_start_s, sim.polls);
    const finish = sim.try_start_s + task.expected_duration_s;
    await this.clock.sleepUntil(Math.min(at, finish));
    sim.end_s = this.clock.now;
    if (at < finish) {
      sim.polls++;
      throw new AirlessError('StillRunning', `${task.task_id} still running at ${at} s (simulated)`);
    }
    if (this.fail.has(task.task_id))
      throw new AirlessError('JobFailed', `${task.task_id} failed (simulated)`);
    const output = Object.fromEntries(OPERATOR_OUTPUTS[task.operator].map((f) => [f, `sim-${f}`]));
    return { output: { ...output, job_id: `sim-${task.task_id}-${sim.tries}`, status: task.wait_for } };
  }
}
