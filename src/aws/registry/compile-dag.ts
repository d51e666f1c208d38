import { basename } from 'node:path';
import { awsTarget } from '../../compiler/aws/target.ts';
import { buildIr } from '../../compiler/build-ir.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { stableStringify } from '../../compiler/serialize.ts';
import type { ReportSection } from '../../compiler/target.ts';
import { TARGETS } from '../../compiler/targets.ts';
import type { Diagnostic } from '../../dag/diagnostics.ts';
import { locate, parseFile } from '../../dag/parse.ts';
import { DAG_ID_PATTERN } from '../../dag/schema.ts';
import { loadDag } from '../../dag/validate.ts';
import { isAirlessError } from '../../errors.ts';
import { resolveRunParams } from '../../dag/params.ts';
import { foreignTriggerDiagnostics } from '../../semantics/foreign-triggers.ts';
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

/** The dag_id of a file that may not validate: as written when readable, else from the file name. */
function guessDagId(text: string, file: string): string {
  const written = /^\s*["']?dag_id["']?\s*:\s*["']?([a-z0-9_-]{1,64})["']?\s*,?\s*$/m.exec(text)?.[1];
  if (written) return written;
  const fromName = basename(file)
    .replace(/\.(ya?ml|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_');
  return DAG_ID_PATTERN.test(fromName) ? fromName : 'invalid_dag';
}

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
  const { dag, diagnostics } = loadDag(text, file);
  if (!dag || diagnostics.length > 0) return { ok: false, dagId: guessDagId(text, file), diagnostics };
  const ir = buildIr(dag, text);
  const foreign = foreignTriggerDiagnostics(ir.triggers, 'aws', text, file);
  if (foreign.length > 0) return { ok: false, dagId: ir.dag_id, diagnostics: foreign };
  const parsed = () => parseFile(text, file);
  let schedules: EventBridgeSchedule[];
  try {
    schedules = toEventBridgeSchedules(ir.schedule, ir.timezone, now);
  } catch (error) {
    if (!isAirlessError(error, 'BadInput')) throw error;
    const at = locate(parsed(), ['schedule']);
    return {
      ok: false,
      dagId: ir.dag_id,
      diagnostics: [{ file, ...at, path: ['schedule'], message: error.message }],
    };
  }
  if (ir.schedule.kind !== 'none') {
    // Airflow checks a scheduled DAG's params at parse time: a tick has no conf to fill them.
    const resolved = resolveRunParams(ir.params, {});
    if (!resolved.ok) {
      const source = parsed();
      return {
        ok: false,
        dagId: ir.dag_id,
        diagnostics: resolved.errors.map((e) => ({
          file,
          ...locate(source, ['params', e.field]),
          path: ['params', e.field],
          message: `param '${e.field}' ${e.message}: a scheduled run has no conf, so give it a valid default`,
        })),
      };
    }
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
