import { readFields } from '../compiler/aws/emit/task-states.ts';
import type { PlanIR } from '../compiler/ir.ts';
import type { RunContext } from '../handlers/contract.ts';
import type { Resume } from '../runs/resume.ts';

/** What a Step Functions execution of a compiled DAG starts from (see compiler/aws/emit/asl-types.ts). */
export interface ExecutionInput {
  run: RunContext;
  resume?: Resume;
}

/**
 * The execution input of a run, or of a re-run of it: the compiled machine reads a try base for
 * every task and, of a kept task's outputs, only the fields some template reads (the state bound
 * counts those alone), never null. Ids the plan does not know are dropped.
 */
export function executionInputOf(plan: PlanIR, run: RunContext, resume?: Resume): ExecutionInput {
  if (resume === undefined) return { run };
  const fields = readFields(plan);
  const prior: Resume['prior'] = {};
  for (const { task_id: id } of plan.tasks) {
    const recorded = Object.hasOwn(resume.prior, id) ? resume.prior[id] : undefined;
    if (recorded === undefined) continue;
    const read = fields.get(id) ?? [];
    const outputs = recorded.outputs ?? {};
    prior[id] = {
      ...recorded,
      outputs: Object.fromEntries(read.filter((f) => Object.hasOwn(outputs, f)).map((f) => [f, outputs[f]])),
    };
  }
  const tryBase = Object.fromEntries(plan.tasks.map((t) => [t.task_id, resume.try_base[t.task_id] ?? 0]));
  return { run, resume: { prior, try_base: tryBase } };
}
