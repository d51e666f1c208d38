import type { TaskTokenSender } from '../../handlers/gates/protocol.ts';

/** SendTaskSuccess/SendTaskFailure bounds of the Step Functions API. */
const MAX_OUTPUT_CHARS = 262_144;
const MAX_ERROR_CHARS = 256;
const MAX_CAUSE_CHARS = 32_768;

/**
 * What Step Functions answers for a token it cannot complete: `TaskTimedOut` for a token whose task
 * is over (completed, timed out, or its execution stopped), `InvalidToken` for one it never issued.
 */
export class TaskTokenError extends Error {
  constructor(
    name: 'TaskTimedOut' | 'InvalidToken' | 'InvalidOutput' | 'ValidationException',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

interface Parked {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/**
 * The local engine's task tokens: runAsl parks each attempt of a callback task
 * (`.waitForTaskToken`) here under its `$$.Task.Token`, and whoever holds the token wakes it with
 * sendTaskSuccess / sendTaskFailure, as Step Functions does. One instance serves a run and its child
 * executions. Tokens are opaque random strings issued by the patched engine.
 */
export class LocalTaskTokens implements TaskTokenSender {
  readonly #parked = new Map<string, Parked>();
  /** Tokens whose task is over; completing one again answers TaskTimedOut. */
  readonly #over = new Set<string>();

  /**
   * Parks a callback task attempt under `token` (runAsl calls this before the task's resource, so a
   * resource may complete the token before it returns). The promise settles when the token is
   * completed, and never once `signal` aborts (the engine gave the attempt up: timeout, execution
   * stopped, or the task settled): the token is retired then.
   */
  park(token: string, signal: AbortSignal): Promise<unknown> {
    if (this.#parked.has(token) || this.#over.has(token)) {
      throw new Error(`task token issued twice: ${token}`);
    }
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        this.#over.add(token);
        return;
      }
      this.#parked.set(token, { resolve, reject });
      signal.addEventListener('abort', () => this.#retire(token), { once: true });
    });
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    const text = output === undefined ? undefined : JSON.stringify(output);
    if (text === undefined || text.length > MAX_OUTPUT_CHARS) {
      throw new TaskTokenError('InvalidOutput', 'the output is not JSON of at most 256 KiB');
    }
    this.#take(token).resolve(JSON.parse(text));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    if (error.length > MAX_ERROR_CHARS || cause.length > MAX_CAUSE_CHARS) {
      throw new TaskTokenError('ValidationException', 'error or cause is too long');
    }
    const failure = new Error(cause);
    failure.name = error;
    this.#take(token).reject(failure);
  }

  /** SendTaskHeartbeat: the token's task must still be waiting (no heartbeat timeout is kept). */
  heartbeat(token: string): void {
    if (this.#parked.has(token)) return;
    if (this.#over.has(token)) throw new TaskTokenError('TaskTimedOut', 'the task of this token is over');
    throw new TaskTokenError('InvalidToken', 'no task was given this token');
  }

  /**
   * Fails a parked attempt from inside the engine (its resource call threw). False when the token
   * was completed first: the first outcome wins.
   */
  fail(token: string, error: Error): boolean {
    const parked = this.#parked.get(token);
    if (!parked) return false;
    this.#retire(token);
    parked.reject(error);
    return true;
  }

  /** Attempts parked now. */
  get parkedCount(): number {
    return this.#parked.size;
  }

  #take(token: string): Parked {
    const parked = this.#parked.get(token);
    if (parked) {
      this.#retire(token);
      return parked;
    }
    if (this.#over.has(token)) throw new TaskTokenError('TaskTimedOut', 'the task of this token is over');
    throw new TaskTokenError('InvalidToken', 'no task was given this token');
  }

  #retire(token: string): void {
    this.#parked.delete(token);
    this.#over.add(token);
  }
}
