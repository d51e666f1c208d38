import { isAirlessError } from '../errors.ts';
import type { SubmitResult, TaskInvocation } from '../handlers/contract.ts';
import { wrap } from './wrap.ts';

const WIDTH = 100;

/**
 * What `airless run` prints while real handlers run, the same for every engine, and what it keeps
 * of each task for the summary: tries, polls, the job id, and when the task's first job was
 * submitted and when its last try ended. Times are seconds since the run started, on the clock the
 * engine gives (the emulators' when they run in-process, else the wall clock).
 */
export interface TaskProgress {
  tries: number;
  polls: number;
  start_s: number | null;
  end_s: number | null;
  job_id: string | null;
}

/** The first line of a run's progress, the same on every engine. */
export function runHeader(runId: string, dagId: string, engine: string, emulated: boolean): string {
  const clock = emulated
    ? "emulated seconds: the emulators' clock jumps over each wait"
    : 'wall-clock seconds';
  return `run ${runId} of ${dagId} on ${engine}\n(times in ${clock})`;
}

export type TimeBase = 'emulated' | 'wall-clock' | 'simulated';

export class RunProgress {
  readonly tasks = new Map<string, TaskProgress>();
  private readonly t0: number;

  constructor(
    private readonly print: (line: string) => void,
    /** Milliseconds on the run's clock. */
    private readonly nowMs: () => number,
    readonly timeBase: TimeBase,
  ) {
    this.t0 = nowMs();
  }

  /** Seconds since the run started, to a tenth. */
  seconds(): number {
    return Math.round((this.nowMs() - this.t0) / 100) / 10;
  }

  /** Calls the handler for one invocation, recording and printing what happened. */
  async call<T>(inv: TaskInvocation, handle: () => Promise<T>): Promise<T> {
    const id = inv.task.task_id;
    const p = this.tasks.get(id) ?? { tries: 0, polls: 0, start_s: null, end_s: null, job_id: null };
    this.tasks.set(id, p);
    if (inv.op === 'submit') {
      p.tries = Math.max(p.tries, inv.try_number);
      p.polls = 0;
    } else if (inv.op === 'poll') p.polls++;
    let result: T;
    try {
      result = await handle();
    } catch (error) {
      const at = this.seconds();
      const e = error as Error;
      if (inv.op === 'poll' && isAirlessError(error, 'StillRunning')) {
        this.line(at, inv, `poll ${p.polls}: ${e.message}`);
      } else {
        p.start_s ??= at;
        p.end_s = at;
        this.line(at, inv, `${inv.op} failed: ${e.name}: ${e.message}`);
      }
      throw error;
    }
    const at = this.seconds();
    if (inv.op === 'submit' && result !== null && typeof result === 'object' && 'job' in result) {
      const { job } = result as unknown as SubmitResult;
      p.start_s ??= at;
      if (job.job_id) p.job_id = job.job_id;
      const id = job.job_id && job.job_id !== job.job_name ? `, job id ${job.job_id}` : '';
      this.line(at, inv, `submitted ${job.job_name}${id}`);
    } else if (inv.op === 'submit') {
      p.start_s ??= at;
      p.end_s = at;
      this.line(at, inv, 'done');
    } else {
      const output = ((result as { output?: Record<string, unknown> }).output ?? {}) as Record<
        string,
        unknown
      >;
      if (typeof output.job_id === 'string' && output.job_id !== '') p.job_id = output.job_id;
      p.end_s = at;
      const polls = p.polls === 1 ? '1 poll' : `${p.polls} polls`;
      this.line(
        at,
        inv,
        `${inv.op === 'poll' ? '' : `${inv.op}: `}${String(output.status ?? 'done')} after ${polls}` +
          (p.job_id ? `, job id ${p.job_id}` : ''),
      );
    }
    return result;
  }

  /** One event; a long one wraps under its text so no line passes 100 columns. */
  private line(at: number, inv: TaskInvocation, what: string): void {
    const stamp = `[${at.toFixed(1).padStart(7)} s] `;
    const indent = ' '.repeat(stamp.length + 2);
    const [first, ...rest] = wrap(`${inv.task.task_id} try ${inv.try_number}: ${what}`, WIDTH - stamp.length);
    const more = rest.flatMap((l) => wrap(l, WIDTH - indent.length));
    this.print([`${stamp}${first}`, ...more.map((l) => `${indent}${l}`)].join('\n'));
  }
}
