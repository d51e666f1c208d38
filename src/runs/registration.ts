import { basename } from 'node:path';
import { buildIr } from '../compiler/build-ir.ts';
import type { PlanIR } from '../compiler/ir.ts';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { DAG_ID_PATTERN } from '../dag/schema.ts';
import { loadDag } from '../dag/validate.ts';
import { foreignTriggerDiagnostics } from '../semantics/foreign-triggers.ts';

export type CheckedUpload =
  { ok: true; ir: PlanIR } | { ok: false; dagId: string; diagnostics: Diagnostic[] };

/** The dag_id of a file that may not validate: as written when readable, else from the file name. */
export function guessDagId(text: string, file: string): string {
  const written = /^\s*["']?dag_id["']?\s*:\s*["']?([a-z0-9_-]{1,64})["']?\s*,?\s*$/m.exec(text)?.[1];
  if (written) return written;
  const fromName = basename(file)
    .replace(/\.(ya?ml|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_');
  return DAG_ID_PATTERN.test(fromName) ? fromName : 'invalid_dag';
}

/**
 * What every cloud's registration checks before it deploys an upload: the DAG validates (scheduled
 * DAGs' param defaults included) and its data triggers are ones this cloud serves, outside the
 * places airless keeps for itself (`reserved`).
 */
export function checkUpload(
  text: string,
  file: string,
  cloud: 'aws' | 'azure',
  reserved: readonly string[] = [],
): CheckedUpload {
  const { dag, diagnostics } = loadDag(text, file);
  if (!dag || diagnostics.length > 0) return { ok: false, dagId: guessDagId(text, file), diagnostics };
  const ir = buildIr(dag, text);
  const foreign = foreignTriggerDiagnostics(ir.triggers, cloud, text, file, reserved);
  return foreign.length > 0 ? { ok: false, dagId: ir.dag_id, diagnostics: foreign } : { ok: true, ir };
}
