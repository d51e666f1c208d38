import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AirlessError } from '../../src/errors.ts';
import { listReferences, parseTemplate } from '../../src/dag/templates.ts';
import { renderDeep, renderTemplate } from '../../src/handlers/render.ts';
import type { RenderContext } from '../../src/handlers/render.ts';

const ctx = (): RenderContext => ({
  dag_id: 'flink_wordcount',
  run_id: 'manual-20260131-a1',
  task_id: 'submit',
  logical_date: '2026-01-31T23:30:00.000Z',
  conf: { jarName: 'WordCount.jar', nested: { list: [1, 2] }, n: 0, flag: false, nothing: null },
  params: { env: 'prod', parallelism: 4 },
  tasks: { upstream: { output: { job_id: 'abc123', last_savepoint: 'abfs://sp/1' } } },
});

const badInput = (template: string, context = ctx()): AirlessError => {
  try {
    renderTemplate(template, context);
  } catch (error) {
    expect(error).toBeInstanceOf(AirlessError);
    expect((error as AirlessError).name).toBe('BadInput');
    return error as AirlessError;
  }
  throw new Error(`rendered ${template} without error`);
};

describe('parseTemplate / listReferences', () => {
  it('splits text and dotted references, reporting syntax problems with their index', () => {
    expect(parseTemplate('a-{{ params.x }}-{{run_id}}')).toEqual({
      parts: [
        { text: 'a-' },
        { ref: 'params.x', segments: ['params', 'x'], raw: '{{ params.x }}', index: 2 },
        { text: '-' },
        { ref: 'run_id', segments: ['run_id'], raw: '{{run_id}}', index: 17 },
      ],
      errors: [],
    });
    expect(parseTemplate('x {{ a + b }} {{ }} {{ y').errors).toEqual([
      {
        message: "templates hold only a dotted path such as {{ params.name }}, not 'a + b'",
        index: 2,
        raw: '{{ a + b }}',
      },
      {
        message: "templates hold only a dotted path such as {{ params.name }}, not ''",
        index: 14,
        raw: '{{ }}',
      },
      { message: "unclosed '{{' (a template is {{ dotted.path }})", index: 20, raw: '{{ y' },
    ]);
  });

  it('lists references with the path of the string they sit in', () => {
    const refs = listReferences({
      cluster: { name: '{{ params.c }}' },
      args: ['x', '{{ tasks.a.output.job_id }}'],
      n: 3,
    });
    expect(refs.map((r) => [r.path, r.ref])).toEqual([
      [['cluster', 'name'], 'params.c'],
      [['args', 1], 'tasks.a.output.job_id'],
    ]);
  });
});

describe('renderTemplate', () => {
  it('renders run variables, dates in UTC, params, conf and upstream outputs', () => {
    const out = renderTemplate(
      '{{ dag_id }}/{{ run_id }}/{{ task_id }} {{ ds }} {{ ds_nodash }} {{ ts }} {{ logical_date }} ' +
        '{{ params.env }} {{ params.parallelism }} {{ conf.jarName }} {{ conf.n }} {{ conf.flag }} ' +
        '{{ conf.nested.list.1 }} {{ conf.nested }} {{ tasks.upstream.output.job_id }}',
      ctx(),
    );
    expect(out).toBe(
      'flink_wordcount/manual-20260131-a1/submit 2026-01-31 20260131 2026-01-31T23:30:00+00:00 2026-01-31T23:30:00.000Z ' +
        'prod 4 WordCount.jar 0 false 2 {"list":[1,2]} abc123',
    );
  });

  it('takes the date parts of the logical date in UTC, whatever offset it was written with', () => {
    expect(renderTemplate('{{ ds }} {{ ts }}', { ...ctx(), logical_date: '2026-02-01T01:30:00+02:00' })).toBe(
      '2026-01-31 2026-01-31T23:30:00+00:00',
    );
  });

  it('returns strings without templates unchanged and renders nested values', () => {
    expect(renderTemplate('plain } { text', ctx())).toBe('plain } { text');
    expect(renderDeep({ a: ['{{ params.env }}', 3, null], b: { c: '{{ ds }}' } }, ctx())).toEqual({
      a: ['prod', 3, null],
      b: { c: '2026-01-31' },
    });
  });

  it('throws BadInput for paths that do not resolve', () => {
    expect(badInput('{{ params.missing }}').message).toBe(
      'template {{ params.missing }} has no value in this run',
    );
    badInput('{{ conf.nothing }}');
    badInput('{{ tasks.other.output.job_id }}');
    badInput('{{ tasks.upstream.output.nope }}');
    badInput('{{ run_id.length }}');
    badInput('{{ conf.jarName.length }}');
    badInput('{{ conf.nested.list.length }}');
    badInput('{{ unknown }}');
    badInput('{{ ds | upper }}');
    badInput('{{ ds');
    badInput('{{ ds }}', { ...ctx(), logical_date: 'yesterday' });
  });

  it.each([
    '{{ constructor.constructor }}',
    '{{ params.constructor }}',
    '{{ params.__proto__ }}',
    '{{ params.__proto__.polluted }}',
    '{{ params.toString }}',
    '{{ params.hasOwnProperty }}',
    '{{ conf.constructor.name }}',
    '{{ tasks.upstream.constructor }}',
    '{{ tasks.__proto__.output.x }}',
    '{{ tasks.upstream.output.__proto__ }}',
    '{{ conf.nested.list.constructor }}',
    '{{ params.env.length }}',
    "{{ ''.constructor.constructor('return process')() }}",
    '{{ process.env.HOME }}',
    '{{ this }}',
    '{{ globalThis.process }}',
  ])('never reaches code or inherited properties: %s', (template) => {
    badInput(template);
  });

  it('does not walk into non-plain objects', () => {
    const context = { ...ctx(), conf: { when: new Date(0), re: /x/ } as Record<string, unknown> };
    badInput('{{ conf.when.getTime }}', context);
    badInput('{{ conf.re.source }}', context);
  });

  it('never throws anything but BadInput, and never returns a function', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.array(
          fc.constantFrom(
            '{{',
            '}}',
            '.',
            ' ',
            'constructor',
            '__proto__',
            'params',
            'conf',
            'tasks',
            'upstream',
            'output',
            'prototype',
            'env',
            'nested',
            'list',
            '0',
            '1',
          ),
        ),
        (noise, pieces) => {
          const template = noise + pieces.join('');
          try {
            const out = renderTemplate(template, ctx());
            expect(typeof out).toBe('string');
            expect(out).not.toContain('function');
            expect(out).not.toContain('[native code]');
          } catch (error) {
            expect(error).toBeInstanceOf(AirlessError);
            expect((error as AirlessError).name).toBe('BadInput');
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
