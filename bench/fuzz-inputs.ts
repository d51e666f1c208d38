import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildIr } from '../src/compiler/build-ir.ts';
import { CompileRefusal } from '../src/compiler/compile-refusal.ts';
import { stableStringify } from '../src/compiler/serialize.ts';
import { TARGETS } from '../src/compiler/targets.ts';
import { loadDag } from '../src/dag/validate.ts';

/**
 * Malformed and extreme DAG files for the fuzz suite (test/dag/fuzz.test.ts, a fixed seed) and
 * `npm run bench -- fuzz` (more runs): random bytes, mutations and truncations of the example DAGs,
 * alias bombs, deep nesting, huge scalars, prototype keys and unicode. `tryInput` runs validate and,
 * for a valid file, every compile target, in-process, and says what went wrong, if anything.
 */

const EXAMPLES = ['dags', 'test/dag/fixtures'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.conf.json'))
    .map((f) => readFileSync(join(dir, f), 'utf8')),
);

const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
];
const YAML_BITS = [
  ':',
  ' ',
  '\n',
  '  ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '!!str ',
  '|',
  '>',
  '#',
  "'",
  '"',
  '%',
  '@',
  '`',
  '\t',
  '? ',
  '---\n',
  '...\n',
  '{{ ',
  ' }}',
  '\\',
];
const UNICODE_BITS = [
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\u2028',
  '\uD800',
  '\uDC00',
  'é',
  '漢字',
  '🙂',
  '\r',
  '\u0085',
  '\u00A0',
];

const minimalDag = (tasks: string): string => `dag_id: fuzz\ntasks:\n${tasks}`;

interface Mutation {
  at: number;
  kind: string;
  bit: string;
  length: number;
}

function mutate(text: string, steps: Mutation[]): string {
  let out = text;
  for (const step of steps) {
    const at = out.length === 0 ? 0 : step.at % out.length;
    const lines = out.split('\n');
    const line = lines.length === 0 ? 0 : step.at % lines.length;
    switch (step.kind) {
      case 'delete':
        out = out.slice(0, at) + out.slice(at + step.length);
        break;
      case 'insert':
      case 'unicode':
      case 'proto':
        out = out.slice(0, at) + step.bit + out.slice(at);
        break;
      case 'duplicate-line':
        lines.splice(line, 0, lines[line] ?? '');
        out = lines.join('\n');
        break;
      case 'swap-lines':
        if (lines.length > 1) {
          const other = (line + 1) % lines.length;
          [lines[line], lines[other]] = [lines[other]!, lines[line]!];
        }
        out = lines.join('\n');
        break;
      case 'indent':
        lines[line] = ' '.repeat(step.length % 7) + (lines[line] ?? '').trimStart();
        out = lines.join('\n');
        break;
    }
  }
  return out;
}

/**
 * One hostile input: what it is (for reports) and its text. `scale` shrinks the largest inputs (1:
 * nesting 20,000 deep and scalars of 2 MB; the test suite uses less to stay quick).
 */
export function fuzzInput(
  limits: { scale: number } = { scale: 1 },
): fc.Arbitrary<{ kind: string; text: string }> {
  const mutation = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('delete', 'insert', 'duplicate-line', 'swap-lines', 'indent', 'proto', 'unicode'),
    bit: fc.constantFrom(...YAML_BITS, ...UNICODE_BITS, ...PROTO_NAMES),
    length: fc.integer({ min: 1, max: 40 }),
  });

  const aliasBomb = fc.integer({ min: 2, max: 12 }).map((levels) => {
    const lines = ['dag_id: bomb', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < levels; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('tasks:', `  t: { operator: empty, doc: *a${levels - 1} }`);
    return lines.join('\n');
  });

  const aliasLoop = fc
    .constantFrom(
      'params: &p {a: {default: *p}}',
      'tasks: &t {a: {operator: empty, doc: *t}}',
      'x: &x [*x]',
      'default_args: &d {retries: *d}',
    )
    .map((line) => `dag_id: loop\n${line}\n${line.startsWith('tasks') ? '' : 'tasks: {}'}`);

  const deepNesting = fc
    .tuple(
      fc.integer({ min: 100, max: 20_000 * limits.scale }),
      fc.constantFrom('flow-seq', 'flow-map', 'block-map', 'block-seq', 'json'),
    )
    .map(([depth, style]) => {
      switch (style) {
        case 'flow-seq':
          return minimalDag(`  t: { operator: empty, doc: ${'['.repeat(depth)}${']'.repeat(depth)} }`);
        case 'flow-map':
          return minimalDag(`  t: { operator: empty, x: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)} }`);
        case 'block-map':
          return minimalDag(
            Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`).join(
              '\n',
            ),
          );
        case 'block-seq':
          return `dag_id: deep\ntasks:\n${Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(2 * (i + 1))}-`).join('\n')} x`;
        default:
          return `{"dag_id": "deep", "tasks": {"t": {"operator": "empty", "doc": ${'['.repeat(depth)}${']'.repeat(depth)}}}}`;
      }
    });

  const hugeScalar = fc
    .tuple(
      fc.integer({ min: 10_000, max: 2_000_000 * limits.scale }),
      fc.constantFrom('doc', 'id', 'key', 'number', 'template', 'block'),
    )
    .map(([size, where]) => {
      const big = 'x'.repeat(size);
      switch (where) {
        case 'doc':
          return minimalDag(`  t: { operator: empty, doc: "${big}" }`);
        case 'id':
          return minimalDag(`  ${big}: { operator: empty }`);
        case 'key':
          return `dag_id: huge\n${big}: 1\ntasks: {}`;
        case 'number':
          return `dag_id: huge\nmax_active_runs: ${'9'.repeat(Math.min(size, 100_000))}\ntasks: {}`;
        case 'template':
          return minimalDag(
            `  t: { operator: genie, endpoint: http://x, cluster_tags: [a], command_tags: [b], job_name: "{{ ${big} }}" }`,
          );
        default:
          return minimalDag(
            `  t:\n    operator: empty\n    doc: |\n${`      ${'y'.repeat(80)}\n`.repeat(Math.ceil(size / 87))}`,
          );
      }
    });

  const protoKeys = fc
    .tuple(
      fc.constantFrom(...PROTO_NAMES),
      fc.constantFrom('task', 'param', 'connection', 'field', 'operator', 'type', 'dep', 'conf-key'),
    )
    .map(([name, where]) => {
      switch (where) {
        case 'task':
          return minimalDag(
            `  ${name}: { operator: empty }\n  b: { operator: empty, depends_on: [${name}] }`,
          );
        case 'param':
          return `dag_id: p\nparams: { ${name}: { type: string, default: x } }\ntasks:\n  a: { operator: genie, endpoint: http://x, cluster_tags: [a], command_tags: [b], job_name: "{{ params.${name} }}" }`;
        case 'connection':
          return `dag_id: p\nconnections: { ${name}: { type: none } }\ntasks:\n  a: { operator: genie, connection: ${name}, endpoint: http://x, cluster_tags: [a], command_tags: [b] }`;
        case 'field':
          return minimalDag(`  a: { operator: empty, ${name}: 1 }`);
        case 'operator':
          return minimalDag(`  a: { operator: ${name} }`);
        case 'type':
          return `dag_id: p\nparams: { a: { type: ${name}, default: 1 } }\nconnections: { c: { type: ${name} } }\nsecrets: { backend: ${name} }\ntasks: { a: { operator: empty, trigger_rule: ${name} } }`;
        case 'dep':
          return minimalDag(`  a: { operator: empty, depends_on: [${name}] }`);
        default:
          return `dag_id: p\ntasks:\n  a: { operator: genie, endpoint: http://x, cluster_tags: [a], command_tags: [b], job_name: "{{ conf.${name} }}-{{ tasks.${name}.output.job_id }}" }`;
      }
    });

  const unicode = fc
    .array(fc.constantFrom(...UNICODE_BITS, ...YAML_BITS, 'a', 'tasks', 'dag_id'), { maxLength: 200 })
    .map((bits) => bits.join(''))
    .chain((noise) =>
      fc.constantFrom(
        noise,
        minimalDag(`  t: { operator: empty, doc: "${noise.replaceAll('"', '')}" }`),
        `dag_id: ${noise}\ntasks: {}`,
      ),
    );

  return fc.oneof(
    fc
      .uint8Array({ maxLength: 2000 })
      .map((bytes) => ({ kind: 'random bytes', text: Buffer.from(bytes).toString('utf8') })),
    fc
      .tuple(fc.constantFrom(...EXAMPLES), fc.array(mutation, { minLength: 1, maxLength: 8 }))
      .map(([text, steps]) => ({ kind: 'mutated example', text: mutate(text, steps) })),
    fc
      .tuple(fc.constantFrom(...EXAMPLES), fc.nat())
      .map(([text, n]) => ({ kind: 'truncated example', text: text.slice(0, n % (text.length + 1)) })),
    aliasBomb.map((text) => ({ kind: 'alias bomb', text })),
    aliasLoop.map((text) => ({ kind: 'alias loop', text })),
    deepNesting.map((text) => ({ kind: 'deep nesting', text })),
    hugeScalar.map((text) => ({ kind: 'huge scalar', text })),
    protoKeys.map((text) => ({ kind: 'prototype key', text })),
    unicode.map((text) => ({ kind: 'unicode', text })),
  );
}

export interface FuzzOutcome {
  ms: number;
  /** Empty when validate (and compile, for a valid file) behaved: a diagnostic list and no throw. */
  problems: string[];
  valid: boolean;
}

const STACK = /\n\s+at |\bat .*\.(ts|js):\d+/;

/** validate, then every compile target when valid; any throw or internal error is a problem. */
export function tryInput(text: string): FuzzOutcome {
  const started = performance.now();
  const problems: string[] = [];
  let valid = false;
  try {
    const { dag, diagnostics } = loadDag(text, 'fuzz.yaml');
    for (const d of diagnostics) {
      if (/internal error/.test(d.message)) problems.push(`validate: ${d.message.slice(0, 300)}`);
      if (STACK.test(d.message)) problems.push(`stack trace in a diagnostic: ${d.message.slice(0, 300)}`);
      if (!Number.isInteger(d.line) || !Number.isInteger(d.col)) problems.push(`no position: ${d.message}`);
    }
    if (dag) {
      valid = true;
      const ir = buildIr(dag, text);
      stableStringify(ir);
      for (const target of TARGETS) {
        try {
          target.emit(ir);
        } catch (error) {
          if (!(error instanceof CompileRefusal)) throw error;
        }
      }
    }
  } catch (error) {
    problems.push(
      `threw: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}`,
    );
  }
  return { ms: performance.now() - started, problems, valid };
}
