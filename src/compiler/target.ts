import type { PlanIR } from './ir.ts';

/** One table of a target's `--report` output: a title, column headers and rows of cells. */
export interface ReportSection {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface EmitOptions {
  /** Also check the output with a validator of the target's own format (aws: asl-validator). */
  validate?: boolean;
}

/** A compile target: turns the IR into the text of one file, `<dag_id><fileSuffix>`. */
export interface Target {
  name: string;
  fileSuffix: string;
  emit(ir: PlanIR, options?: EmitOptions): string;
  report?(ir: PlanIR): ReportSection;
}
