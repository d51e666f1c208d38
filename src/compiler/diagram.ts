import type { PlanIR, TaskIR } from './ir.ts';

/** Diagrams of a DAG's declared dependencies, nodes in topological order. */
export const DIAGRAM_FORMATS = ['mermaid', 'dot'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export function renderDiagram(ir: PlanIR, format: DiagramFormat): string {
  return format === 'mermaid' ? mermaid(ir) : dot(ir);
}

/** What a node shows under its id: the operator, its action, and a trigger rule other than the default. */
function nodeDetail(task: TaskIR): string[] {
  const action = typeof task.config.action === 'string' ? ` ${task.config.action}` : '';
  const lines = [`${task.operator}${action}`];
  if (task.trigger_rule !== 'all_success') lines.push(`trigger_rule: ${task.trigger_rule}`);
  return lines;
}

const edges = (ir: PlanIR): Array<[string, string]> =>
  ir.tasks.flatMap((task) => task.upstream.map((up): [string, string] => [up, task.task_id]));

function mermaid(ir: PlanIR): string {
  // Mermaid node ids cannot hold every task-id character ('-'), so nodes are numbered.
  const node = new Map(ir.tasks.map((t, i) => [t.task_id, `n${i}`]));
  const label = (t: TaskIR): string =>
    [t.task_id, ...nodeDetail(t)].map((s) => s.replaceAll('"', '#quot;')).join('<br/>');
  return [
    'flowchart TD',
    ...ir.tasks.map((t) => `  ${node.get(t.task_id)}["${label(t)}"]`),
    ...edges(ir).map(([from, to]) => `  ${node.get(from)} --> ${node.get(to)}`),
    '',
  ].join('\n');
}

function dot(ir: PlanIR): string {
  const escape = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  const quote = (s: string): string => `"${escape(s)}"`;
  /** Lines of a label, joined by dot's own `\n` escape. */
  const label = (lines: string[]): string => `"${lines.map(escape).join('\\n')}"`;
  return [
    `digraph ${quote(ir.dag_id)} {`,
    '  rankdir=LR;',
    '  node [shape=box];',
    ...ir.tasks.map((t) => `  ${quote(t.task_id)} [label=${label([t.task_id, ...nodeDetail(t)])}];`),
    ...edges(ir).map(([from, to]) => `  ${quote(from)} -> ${quote(to)};`),
    '}',
    '',
  ].join('\n');
}
