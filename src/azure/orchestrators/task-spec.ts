import type { PlanIR, TaskIR } from '../../compiler/ir.ts';
import type { TaskSpec } from '../../handlers/contract.ts';

/** The handler's view of a task: its config and its connection resolved by name (secret names only). */
export function taskSpecOf(plan: PlanIR, task: TaskIR): TaskSpec {
  const conn = task.connection === null ? undefined : plan.connections[task.connection];
  return {
    task_id: task.task_id,
    operator: task.operator,
    config: task.config as TaskSpec['config'],
    wait_for: task.wait_for,
    connection:
      conn === undefined || task.connection === null
        ? null
        : { name: task.connection, type: conn.type, fields: conn.fields },
    secrets: plan.secrets,
  };
}
