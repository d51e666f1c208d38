import { z } from 'zod';

/**
 * The gate protocol: how a Step Functions run decides at run time what its structure cannot
 * express (a dependency across branches, a max_active_tasks slot). A gated task parks on a
 * callback (`arn:aws:states:::lambda:invoke.waitForTaskToken`, Payload = GateWait) and is woken
 * with SendTaskSuccess(GateVerdict) once its trigger rule decides from its upstreams' recorded
 * outcomes and, when it needs one, a slot is granted. A task whose outcome some gate depends on,
 * or that holds a slot, reports its end (a plain Lambda call, Payload = GateEnd).
 *
 * Everything here is small and holds no secret: ids, states, the rule, a priority, a token.
 */

const FinalState = z.enum(['success', 'failed', 'skipped', 'upstream_failed']);
const Json: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
);

/** What a slot request carries: Airflow's priority weight, then the topological index breaks ties. */
export const SlotRequestSchema = z.object({
  /** max_active_tasks of the DAG. */
  cap: z.number().int().min(1),
  priority_weight: z.number().int(),
  /** Index in PlanIR.tasks (topological order); lower goes first among equal weights. */
  order: z.number().int().min(0),
});

export const GateWaitSchema = z.object({
  op: z.literal('wait'),
  /** Unique per execution tree: the top execution's id ($$.Execution.Id), passed to children. */
  run_key: z.string().min(1).max(2048),
  task_id: z.string().min(1),
  /** $$.Task.Token. */
  token: z.string().min(1).max(1024),
  trigger_rule: z.string().min(1),
  /** Every direct upstream; each one reports its end (GateEnd) so the rule can decide. */
  upstream: z.array(z.string()),
  /** Ancestors whose outputs this task's templates read: a 'run' verdict also waits for them. */
  reads: z.array(z.string()),
  /** Present when max_active_tasks can bind and the task is a job task. */
  slot: SlotRequestSchema.nullable(),
});
export type GateWait = z.infer<typeof GateWaitSchema>;

export const GateEndSchema = z.object({
  op: z.literal('end'),
  run_key: z.string().min(1).max(2048),
  task_id: z.string().min(1),
  state: FinalState,
  /** The task's small output, when some gated downstream reads it; else null. */
  output: z.record(z.string(), Json).nullable(),
  /** The gated tasks waiting on this task's end (downstreams, and readers of its output): re-evaluated. */
  downstream: z.array(z.string()),
  /** True when the task held a max_active_tasks slot: it is released and handed on. */
  release_slot: z.boolean(),
});
export type GateEnd = z.infer<typeof GateEndSchema>;

export const GateInvocationSchema = z.discriminatedUnion('op', [GateWaitSchema, GateEndSchema]);
export type GateInvocation = z.infer<typeof GateInvocationSchema>;

/** The SendTaskSuccess output a parked gate receives: it becomes `$.gate` in the task's branch. */
export const GateVerdictSchema = z.object({
  verdict: z.enum(['run', 'skipped', 'upstream_failed']),
  /** Outputs of the `reads` upstreams (for 'run'), by task id; {} otherwise. */
  outputs: z.record(z.string(), z.record(z.string(), Json)),
});
export type GateVerdict = z.infer<typeof GateVerdictSchema>;

/** What wakes a parked task: Step Functions' SendTaskSuccess/SendTaskFailure, or the local engine's. */
export interface TaskTokenSender {
  sendTaskSuccess(token: string, output: GateVerdict): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
}
