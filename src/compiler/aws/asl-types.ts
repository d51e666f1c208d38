/** The slice of the Amazon States Language (JSONPath) the compiler emits. */
export type AslState = Record<string, unknown> & { Type: string };

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

export interface AslDefinition extends AslMachine {
  Comment: string;
}

/** Definition substitution naming the task handler; deployment wires the real ARN. */
export const TASK_HANDLER = 'TaskHandlerArn';
export const TASK_HANDLER_RESOURCE = `\${${TASK_HANDLER}}`;

/**
 * Workflow state between states: `{ run, tasks, outputs, errors, clock, try_number }`, flat maps so
 * that copying it between states stays cheap.
 * - run: the RunContext of the execution input `{ run }`.
 * - tasks: `{ <task_id>: final state }` for every finished task.
 * - outputs: `{ <task_id>: output }` for the tasks some template reads ({} until it succeeds).
 * - errors: `{ <task_id>: error name }` for failed tasks.
 * - clock: what the next task starts after: the id of the task that ran last on this path, or at a
 *   Parallel join the array of its branches' clocks (null at the start). Handlers receive it; the
 *   simulator turns it into virtual time (a join waits for its slowest branch).
 * - try_number: the try of the task now running (1-based).
 */
export const RUN_START_STATE = 'dag.run.start';
/**
 * Names outside tasks have two dots, task states (`<task_id>.<part>`) one, so they never collide.
 * Entered with the final workflow state; its input holds every task's record. */
export const RUN_OUTCOME_STATE = 'dag.run.outcome';
