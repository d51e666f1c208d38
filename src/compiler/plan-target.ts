import type { PlanIR } from './ir.ts';
import { stableStringify } from './serialize.ts';
import type { ReportSection, Target } from './target.ts';

/** `--target plan`: the IR itself, as `<dag_id>.plan.json`. */
export const planTarget: Target = {
  name: 'plan',
  fileSuffix: '.plan.json',
  emit: (ir) => stableStringify(ir),
  report: planReport,
};

function planReport(ir: PlanIR): ReportSection {
  const path = ir.graph.critical_path;
  return {
    title: 'plan',
    columns: ['fact', 'value'],
    rows: [
      ['tasks', String(ir.tasks.length)],
      ['edges (transitive reduction)', String(ir.graph.reduced_edges.length)],
      ['roots', ir.graph.roots.join(', ')],
      ['leaves', ir.graph.leaves.join(', ')],
      ['critical path', `${path.tasks.join(' -> ')} (${formatSeconds(path.seconds)})`],
      ['schedule', scheduleText(ir)],
      ['max_active_runs / max_active_tasks', `${ir.max_active_runs} / ${ir.max_active_tasks}`],
    ],
  };
}

function scheduleText(ir: PlanIR): string {
  const s = ir.schedule;
  if (s.kind === 'none') return 'none (manual, API or data trigger)';
  return `${s.source} (${ir.timezone})`;
}

/** 3725 -> "1h 2m 5s"; 0 -> "0s". */
export function formatSeconds(total: number): string {
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}
