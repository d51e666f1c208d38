import { describe, expect, it } from 'vitest';
import { paramsResponse } from '../../src/runs/api/airflow-shapes.ts';
import { convertInput, initialInput, paramFields } from '../../src/ui/app/param-form.ts';
import { etlPlan } from './fixtures.ts';

describe('trigger form fields from the params schema', () => {
  const fields = paramFields(paramsResponse(etlPlan()));
  const field = (name: string) => fields.find((f) => f.name === name)!;

  it("reads Airflow's serialised params: type, default, enum, description, in declaration order", () => {
    expect(fields.map((f) => f.name)).toEqual(['rows', 'mode', 'label', 'dry_run', 'fail_once']);
    expect(field('rows')).toMatchObject({
      kind: 'integer',
      defaultValue: 10,
      description: 'how many rows to load',
    });
    expect(field('mode').enumValues).toEqual(['fast', 'slow']);
    expect(field('dry_run').kind).toBe('boolean');
    expect(field('fail_once').kind).toBe('json');
  });

  it('reads a plain JSON-Schema with default too', () => {
    const [f] = paramFields({ n: { type: ['integer', 'null'], default: 3, description: 'd' } });
    expect(f).toMatchObject({ kind: 'integer', nullable: true, defaultValue: 3, description: 'd' });
  });

  it('shows defaults and converts inputs to JSON values, leaving checks to the API', () => {
    expect(initialInput(field('rows'))).toBe('10');
    expect(initialInput(field('mode'))).toBe('0');
    expect(initialInput(field('fail_once'))).toBe('[]');
    expect(convertInput(field('rows'), '0')).toEqual({ ok: true, value: 0 });
    expect(convertInput(field('rows'), '1.5')).toEqual({ ok: false, message: 'is not an integer' });
    expect(convertInput(field('mode'), '1')).toEqual({ ok: true, value: 'slow' });
    expect(convertInput(field('fail_once'), '["a"]')).toEqual({ ok: true, value: ['a'] });
    expect(convertInput(field('fail_once'), '[')).toEqual({ ok: false, message: 'is not valid JSON' });
    expect(convertInput(field('label'), '')).toMatchObject({ ok: true, omit: true });
    expect(convertInput(field('dry_run'), true)).toEqual({ ok: true, value: true });
  });
});
