import type { PlanIR } from '../../compiler/ir.ts';
import type { RunContext } from '../../handlers/contract.ts';

/** A manual run's context: params are their defaults, overridden by conf keys of the same name (as Airflow). */
export function manualRunContext(plan: PlanIR, conf: Record<string, unknown>, now: Date): RunContext {
  const logical = now.toISOString();
  const params: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(plan.params)) {
    if (name in conf) params[name] = conf[name];
    else if (param.default !== undefined) params[name] = param.default;
  }
  return {
    dag_id: plan.dag_id,
    run_id: `manual__${logical}`,
    logical_date: logical,
    conf: conf as RunContext['conf'],
    params: params as RunContext['params'],
  };
}
