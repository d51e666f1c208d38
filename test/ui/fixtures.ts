import { planOf } from './backend-double.ts';

/** The DAG the browser tests trigger: every param kind the trigger form renders, and a diamond. */
export const ETL_YAML = `
dag_id: etl
description: Load the day's rows
schedule: null
params:
  rows: { type: integer, minimum: 1, maximum: 1000, default: 10, description: how many rows to load }
  mode: { type: string, enum: [fast, slow], default: fast, description: the loader's speed }
  label: { type: string, default: daily, maxLength: 8, description: a tag for the run }
  dry_run: { type: boolean, default: false, description: load nothing }
  fail_once: { type: array, default: [], description: task ids whose first try fails (the test double's knob) }
tasks:
  extract: { operator: empty }
  transform_a: { operator: empty, depends_on: [extract] }
  transform_b: { operator: empty, depends_on: [extract] }
  load: { operator: empty, depends_on: [transform_a, transform_b] }
`;

/** A DAG of `tasks` tasks in `width` parallel chains joined at the end (the grid bench's shape). */
export function wideYaml(dagId: string, tasks: number, width = 10): string {
  const lines = [`dag_id: ${dagId}`, 'schedule: "@daily"', 'tasks:'];
  for (let i = 0; i < tasks - 1; i++) {
    const up = i >= width ? ` depends_on: [t${String(i - width).padStart(3, '0')}]` : '';
    lines.push(
      `  t${String(i).padStart(3, '0')}: { operator: empty,${up} }`
        .replace(',  }', ' }')
        .replace(', }', ' }'),
    );
  }
  const last = Array.from(
    { length: Math.min(width, tasks - 1) },
    (_, k) => `t${String(tasks - 2 - k).padStart(3, '0')}`,
  );
  lines.push(`  end: { operator: empty, depends_on: [${last.join(', ')}] }`);
  return `${lines.join('\n')}\n`;
}

export const etlPlan = () => planOf(ETL_YAML, 'dags/etl.yaml');
