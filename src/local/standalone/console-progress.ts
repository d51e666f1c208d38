import type { TaskInvocation } from '../../handlers/contract.ts';
import { RunProgress, runHeader } from '../progress.ts';

/**
 * `airless standalone`'s console: the progress lines of `airless run` (src/local/progress.ts), one
 * RunProgress per run, each line tagged with its run so runs that overlap stay readable. Times are
 * wall-clock seconds since the run's first task call in this process.
 */
export class ConsoleProgress {
  private readonly runs = new Map<string, RunProgress>();

  constructor(
    private readonly print: (line: string) => void,
    private readonly engine: string,
  ) {}

  private progressOf(inv: TaskInvocation): RunProgress {
    const key = `${inv.run.dag_id}\u0000${inv.run.run_id}`;
    let progress = this.runs.get(key);
    if (!progress) {
      const tag = `${inv.run.dag_id} ${inv.run.run_id} | `;
      const out = (text: string) => this.print(text.replace(/^/gm, tag));
      out(runHeader(inv.run.run_id, inv.run.dag_id, this.engine, false));
      progress = new RunProgress(out, () => Date.now(), 'wall-clock');
      this.runs.set(key, progress);
    }
    return progress;
  }

  /** Calls the task handler for one invocation, printing what happened. */
  call<T>(inv: TaskInvocation, handle: () => Promise<T>): Promise<T> {
    return this.progressOf(inv).call(inv, handle);
  }

  /** The run ended: one line, and its progress is forgotten. */
  finished(dagId: string, runId: string, state: string): void {
    this.print(`${dagId} ${runId} | run ${state}`);
    this.runs.delete(`${dagId}\u0000${runId}`);
  }
}
