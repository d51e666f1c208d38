import { LocalTaskTokens } from '../task-tokens.ts';

/**
 * The service's task tokens: LocalTaskTokens (SendTaskSuccess/Failure semantics) that also lets the
 * callback task that parked a token see its outcome, to write TaskSucceeded/TaskFailed in order.
 */
export class ServiceTokens extends LocalTaskTokens {
  readonly #outcomes = new Map<string, Promise<unknown>>();

  override park(token: string, signal: AbortSignal): Promise<unknown> {
    const outcome = super.park(token, signal);
    outcome.catch(() => {}); // the callback task awaits it
    this.#outcomes.set(token, outcome);
    const forget = () => this.#outcomes.delete(token);
    outcome.then(forget, forget);
    signal.addEventListener('abort', forget, { once: true });
    return outcome;
  }

  /** The outcome of a parked token, taken once by the task that parked it. */
  take(token: string): Promise<unknown> | undefined {
    const outcome = this.#outcomes.get(token);
    this.#outcomes.delete(token);
    return outcome;
  }
}
