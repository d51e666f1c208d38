import type { PlanIR } from '../compiler/ir.ts';
import type { RealRunOptions } from './aws/run-real-aws.ts';
import type { SimulateOptions } from './simulate/simulate-aws.ts';
import { simulateAws } from './simulate/simulate-aws.ts';
import type { RunTrace } from './simulate/trace.ts';

/**
 * The engines `airless run --engine <name>` can use, one line each. `simulate` replaces every task
 * by the simulator. `run` executes the real handlers against the local emulators; an engine without
 * it cannot run real handlers yet. For aws, that hook is runCompiledDag (src/local/aws/aws-run.ts) with
 * `resources: { TaskHandlerArn: <real task handler> }`.
 */
export interface LocalEngine {
  simulate(plan: PlanIR, options: SimulateOptions): Promise<RunTrace>;
  run?(plan: PlanIR, options: RealRunOptions): Promise<RunTrace>;
}

// prettier-ignore
export const ENGINES: Record<string, LocalEngine> = {
  aws: { simulate: simulateAws, run: (plan, o) => import('./aws/run-real-aws.ts').then((m) => m.runAwsWithHandlers(plan, o)) },
  azure: { simulate: (plan, o) => import('./azure/simulate.ts').then((m) => m.simulateAzure(plan, o)), run: (plan, o) => import('./azure/run-real.ts').then((m) => m.runAzureWithHandlers(plan, o)) },
};
