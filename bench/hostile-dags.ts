import { generateDagYaml } from './generate-dag.ts';

/**
 * DAG files of about a given size that make validation work hard: every line a diagnostic, or one
 * that asks for a did-you-mean over thousands of names. Used by the dag-language bench (time
 * against a valid file of the same size) and by the fuzz suite. All of them are YAML that js-yaml
 * reads; SYNTAX_ERROR_KINDS are the valid file with YAML syntax errors, which only yaml reads.
 */
export const HOSTILE_KINDS = [
  'valid',
  'bad-refs-one-string',
  'bad-refs-many-tasks',
  'params-x-unknown-refs',
  'near-miss-ids',
  'unknown-keys',
] as const;

/** The valid file with one syntax error after `tasks:`, one at its end, or one every 50 lines. */
export const SYNTAX_ERROR_KINDS = [
  'syntax-error-early',
  'syntax-error-at-end',
  'syntax-errors-many',
] as const;

export type HostileKind = (typeof HOSTILE_KINDS)[number] | (typeof SYNTAX_ERROR_KINDS)[number];

/** A line yaml reads as a nested mapping in a compact one: an error at its second colon. */
const BAD_LINE = '  bad: a: b';

const repeatTo = (bytes: number, line: (i: number) => string): string[] => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const next = line(i);
    lines.push(next);
    size += next.length + 1;
  }
  return lines;
};

const longId = (i: number): string =>
  `task_with_a_rather_long_descriptive_name_number_${String(i).padStart(6, '0')}`;

export function hostileDag(kind: HostileKind, bytes: number): string {
  switch (kind) {
    case 'valid': {
      // About 250 bytes a task in the generator's YAML.
      let tasks = Math.max(10, Math.round(bytes / 250));
      let text = generateDagYaml({ tasks, seed: 7 });
      tasks = Math.max(10, Math.round((tasks * bytes) / text.length));
      text = generateDagYaml({ tasks, seed: 7 });
      return text;
    }
    case 'bad-refs-one-string': {
      const refs = repeatTo(bytes, (i) => `{{ nope${i} }}`).join(' ');
      return `dag_id: bad_refs\ntasks:\n  a:\n    operator: flink.rest\n    endpoint: http://x\n    action: NEW\n    jar_path: a.jar\n    args: "${refs}"\n`;
    }
    case 'bad-refs-many-tasks':
      return [
        'dag_id: bad_refs',
        'tasks:',
        ...repeatTo(
          bytes,
          (i) =>
            `  t${i}: { operator: genie, endpoint: "http://{{ params.p${i} }}", cluster_tags: [a], command_tags: [b] }`,
        ),
      ].join('\n');
    case 'params-x-unknown-refs': {
      const half = bytes / 2;
      return [
        'dag_id: params_refs',
        'params:',
        ...repeatTo(half, (i) => `  param_number_${i}: { type: string, default: x }`),
        'tasks:',
        '  a:',
        '    operator: genie',
        '    endpoint: http://x',
        '    cluster_tags: [a]',
        '    command_tags: [b]',
        '    command_arguments:',
        ...repeatTo(half, (i) => `      - "{{ params.param_numbr_${i} }}"`),
      ].join('\n');
    }
    case 'near-miss-ids':
      return [
        'dag_id: near_miss',
        'tasks:',
        ...repeatTo(bytes, (i) =>
          i === 0
            ? `  ${longId(0)}: { operator: empty }`
            : `  ${longId(i)}: { operator: empty, depends_on: [${longId(i - 1).replace('task_with', 'task_wiht')}] }`,
        ),
      ].join('\n');
    case 'syntax-error-early':
      return hostileDag('valid', bytes).replace('\ntasks:\n', `\ntasks:\n${BAD_LINE}\n`);
    case 'syntax-error-at-end':
      return `${hostileDag('valid', bytes)}${BAD_LINE}\n`;
    case 'syntax-errors-many':
      return hostileDag('valid', bytes)
        .split('\n')
        .map((line, i) => (i % 50 === 25 ? `${line} : : ]` : line))
        .join('\n');
    case 'unknown-keys':
      return [
        'dag_id: unknown_keys',
        'tasks:',
        ...repeatTo(
          bytes,
          (i) => `  t${i}: { operator: empty, retires: 2, dependson: [t0], exec_timeout: 1h }`,
        ),
      ].join('\n');
  }
}
