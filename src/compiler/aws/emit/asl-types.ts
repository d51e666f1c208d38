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

/** Definition substitution naming the gate handler (src/handlers/gates). */
export const GATE_HANDLER = 'GateHandlerArn';
export const GATE_HANDLER_RESOURCE = `\${${GATE_HANDLER}}`;
/** The callback integration a gate parks on. */
export const GATE_WAIT_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** A child state machine run to its end (large DAGs); its definition substitution is `${Child_<n>}`. */
export const CHILD_RESOURCE = 'arn:aws:states:::states:startExecution.sync:2';
export const childSubstitution = (n: number): string => `Child_${n}`;

/**
 * The execution input is `{ run, resume? }`: the RunContext, and for a re-run of a cleared run the
 * Resume of src/runs/resume.ts as src/aws/execution-input.ts normalises it (a try base for every
 * task, prior outputs reduced to the fields templates read, never null). A child execution's input
 * is `{ run_key, parent }`, parent being the top execution's input. The resume is read from the
 * input (`$$.Execution.Input`) where it is needed, never carried in the state.
 *
 * Workflow state between states: `{ run, run_key, tasks, outputs, errors, try_base, try_number }`,
 * flat maps so that copying it between states stays cheap, and nothing only a simulation needs.
 * - run: the RunContext of the execution input.
 * - run_key: what the gates of this run are keyed by: the top execution's id ($$.Execution.Id),
 *   handed to child executions.
 * - tasks: `{ <task_id>: final state }` for every finished task.
 * - outputs: `{ <task_id>: output }` for the tasks some template reads ({} until it succeeds).
 * - errors: `{ <task_id>: error name }` for failed tasks.
 * - try_base: `{ <task_id>: tries before this run }` for the tasks of this machine: the resume's,
 *   or 0 for every task ({} in a parent, which runs no task itself).
 * - try_number: the try of the task now running, counted in this execution (1-based); the handler
 *   gets `try_base.<task> + try_number`.
 */
export const RUN_START_STATE = 'dag.run.start';
/** A machine's first Pass, with or without the input's resume. */
export const RUN_RESUMED_STATE = 'dag.run.resumed';
export const RUN_FRESH_STATE = 'dag.run.fresh';
/**
 * Names outside tasks have two dots, task states (`<task_id>.<part>`) one, so they never collide.
 * Entered with the final workflow state; its input holds every task's record. */
export const RUN_OUTCOME_STATE = 'dag.run.outcome';
