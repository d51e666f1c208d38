import { basename } from 'node:path';
import { compileAsl } from '../../compiler/aws/asl.ts';
import { buildIr } from '../../compiler/build-ir.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { stableStringify } from '../../compiler/serialize.ts';
import { type ReportSection, TARGETS } from '../../compiler/targets.ts';
import type { Diagnostic } from '../../dag/diagnostics.ts';
import { locate, parseFile } from '../../dag/parse.ts';
import { DAG_ID_PATTERN } from '../../dag/schema.ts';
import { loadDag } from '../../dag/validate.ts';
import { isAirlessError } from '../../errors.ts';
import { resolveRunParams } from '../api/run-params.ts';
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

/**
 * Validate, build the IR, emit ASL and the reports, and convert the schedule for EventBridge
 * (the one check only the AWS backend needs). Pure: same text, same output.
 */
export function compileDag(text: string, file: string, now: Date): CompiledDag {
  const { dag, diagnostics } = loadDag(text, file);
  if (!dag || diagnostics.length > 0) return { ok: false, dagId: guessDagId(text, file), diagnostics };
  const ir = buildIr(dag, text);
  let schedules: EventBridgeSchedule[];
  try {
    schedules = toEventBridgeSchedules(ir.schedule, ir.timezone, now);
  } catch (error) {
    if (!isAirlessError(error, 'BadInput')) throw error;
    const { line, col } = locate(parseFile(text, file), ['schedule']);
    return {
      ok: false,
      dagId: ir.dag_id,
      diagnostics: [{ file, line, col, path: ['schedule'], message: error.message }],
    };
  }
  if (ir.schedule.kind !== 'none') {
    // Airflow checks a scheduled DAG's params at parse time: a tick has no conf to fill them.
    const resolved = resolveRunParams(ir.params, {});
    if (!resolved.ok) {
      const parsed = parseFile(text, file);
      return {
        ok: false,
        dagId: ir.dag_id,
        diagnostics: resolved.errors.map((e) => ({
          file,
          ...locate(parsed, ['params', e.field]),
          path: ['params', e.field],
          message: `param '${e.field}' ${e.message} for scheduled runs (schedule ${ir.schedule.kind === 'none' ? '' : ir.schedule.source}); give it a valid default`,
        })),
      };
    }
  }
  const sections = TARGETS.map((t) => t.report?.(ir)).filter((s): s is ReportSection => s !== undefined);
  return {
    ok: true,
    ir,
    asl: stableStringify(compileAsl(ir).definition),
    plan: stableStringify(ir),
    report: stableStringify({ dag_id: ir.dag_id, source_sha256: ir.source_sha256, sections }),
    schedules,
  };
}
