import type { PlanIR } from './ir.ts';
import { awsTarget } from './aws/target.ts';
import { planTarget } from './plan-target.ts';

/** One table of a target's `--report` output: a title, column headers and rows of cells. */
export interface ReportSection {
  title: string;
  columns: string[];
  rows: string[][];
}

/** A compile target: turns the IR into the text of one file, `<dag_id><fileSuffix>`. */
export interface Target {
  name: string;
  fileSuffix: string;
  emit(ir: PlanIR): string;
  report?(ir: PlanIR): ReportSection;
}

/** Every registered target, one line each; `--target all` compiles to all of them. */
// prettier-ignore
export const TARGETS: readonly Target[] = [
  planTarget,
  awsTarget,
];
