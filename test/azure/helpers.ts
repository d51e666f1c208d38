import { buildIr } from '../../src/compiler/build-ir.ts';
import type { PlanIR } from '../../src/compiler/ir.ts';
import { loadDag } from '../../src/dag/validate.ts';
import type { RunContext } from '../../src/handlers/contract.ts';

/** A plan through the real pipeline: validate the YAML, then build the IR. */
export function planFromYaml(yaml: string): PlanIR {
  const { dag, diagnostics } = loadDag(yaml, 'test.yaml');
  if (dag === null) throw new Error(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return buildIr(dag, yaml);
}

export const runOf = (plan: PlanIR, runId = 'r1'): RunContext => ({
  dag_id: plan.dag_id,
  run_id: runId,
  logical_date: '2026-01-01T00:00:00.000Z',
  conf: {},
  params: {},
});

/** A Genie job task in YAML, the cheapest job operator to write. */
export const genieTask = (extra: string): string => `
    operator: genie
    endpoint: https://genie.example.com
    command_tags: [type:spark-submit]
    cluster_tags: [sched:adhoc]
    command_arguments: --class Main app.jar${extra}`;
