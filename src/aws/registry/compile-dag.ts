import { awsTarget } from '../../compiler/aws/target.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { stableStringify } from '../../compiler/serialize.ts';
import type { ReportSection } from '../../compiler/target.ts';
import { TARGETS } from '../../compiler/targets.ts';
import type { Diagnostic } from '../../dag/diagnostics.ts';
import { locate, parseFile } from '../../dag/parse.ts';
import { isAirlessError } from '../../errors.ts';
import { checkUpload } from '../../runs/registration.ts';
import { type EventBridgeSchedule, toEventBridgeSchedules } from './schedule-expression.ts';

export type CompiledDag =
  | {
      ok: true;
      ir: PlanIR;
      /** ASL text as the compiler wrote it, `${TaskHandlerArn}` still a placeholder. */
      asl: string;
      plan: string;
      report: string;
      schedules: EventBridgeSchedule[];
    }
  | { ok: false; dagId: string; diagnostics: Diagnostic[] };

/** A compiler refusal ("task X: ...", a limit, asl-validator) as a diagnostic at the task or the top. */
function refusal(text: string, file: string, message: string): Diagnostic {
  const task = /^task ([A-Za-z0-9_-]+):/.exec(message)?.[1];
  const path = task ? ['tasks', task] : [];
  return { file, ...locate(parseFile(text, file), path, { key: true }), path, message };
}

/**
 * Validate, build the IR, emit ASL (the AWS target, with its limit and asl-validator checks) and
 * the reports, and convert the schedule for EventBridge. Every refusal becomes a diagnostic, so an
 * upload that cannot deploy is reported in errors/ instead of failing the Lambda.
 */
export function compileDag(text: string, file: string, now: Date): CompiledDag {
  const checked = checkUpload(text, file, 'aws');
  if (!checked.ok) return checked;
  const { ir } = checked;
  let schedules: EventBridgeSchedule[];
  try {
    schedules = toEventBridgeSchedules(ir.schedule, ir.timezone, now);
  } catch (error) {
    if (!isAirlessError(error, 'BadInput')) throw error;
    const at = locate(parseFile(text, file), ['schedule']);
    return {
      ok: false,
      dagId: ir.dag_id,
      diagnostics: [{ file, ...at, path: ['schedule'], message: error.message }],
    };
  }
  try {
    const sections = TARGETS.map((t) => t.report?.(ir)).filter((s): s is ReportSection => s !== undefined);
    return {
      ok: true,
      ir,
      asl: awsTarget.emit(ir),
      plan: stableStringify(ir),
      report: stableStringify({ dag_id: ir.dag_id, source_sha256: ir.source_sha256, sections }),
      schedules,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, dagId: ir.dag_id, diagnostics: [refusal(text, file, message)] };
  }
}
