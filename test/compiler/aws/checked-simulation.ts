import { expect } from 'vitest';
import { compileAsl } from '../../../src/compiler/aws/emit/asl.ts';
import { aslProblems } from '../../../src/compiler/aws/emit/validate.ts';
import type { PlanIR } from '../../../src/compiler/ir.ts';
import type { SimulateOptions } from '../../../src/local/simulate/simulate-aws.ts';
import { simulateAws } from '../../../src/local/simulate/simulate-aws.ts';
import type { RunTrace } from '../../../src/local/simulate/trace.ts';

/** Every DAG a test runs is first checked by asl-validator, then executed by aws-local-stepfunctions. */
export async function simulateChecked(
  plan: PlanIR,
  options: Partial<SimulateOptions> = {},
): Promise<RunTrace> {
  expect(aslProblems(compileAsl(plan).definition)).toEqual([]);
  return simulateAws(plan, { conf: {}, fail: [], ...options });
}
