import { expect, it } from 'vitest';
/**
 * Hostile and edge trigger requests, asked of both HTTP APIs (test/deploy/hostile-requests.test.ts
 * on AWS, test/azure/hostile-requests.test.ts on Azure): each must get the same answer on both.
 */
export const HOSTILE_DAG = `dag_id: hostile
params:
  n: { type: integer, default: 1 }
tasks:
  a: { operator: empty }
`;

export interface HostileCase {
  name: string;
  /** The POST body as sent. */
  body: string;
  status: number;
  /** The field a 400 names. */
  field?: string;
  /** Fields of the 200 answer. */
  run?: Record<string, unknown>;
}

/** `depth` levels of objects (conf itself the first), a number at the bottom. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
/** Built as text: JSON.stringify itself overflows the stack on a value thousands deep. */
const confDepth = (depth: number): string => `{"conf":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

const runId = (name: string, dag_run_id: string): HostileCase => ({
  name: `run id ${name}`,
  body: JSON.stringify({ dag_run_id }),
  status: 400,
  field: 'dag_run_id',
});
const logicalDate = (logical_date: string): HostileCase => ({
  name: `logical_date ${JSON.stringify(logical_date)}`,
  body: JSON.stringify({ dag_run_id: `ld-${logical_date.replace(/[^A-Za-z0-9]/g, '')}`, logical_date }),
  status: 400,
  field: 'logical_date',
});

export const HOSTILE_CASES: HostileCase[] = [
  { name: 'a 6 MB conf', body: JSON.stringify({ conf: { blob: 'x'.repeat(6 * 1024 * 1024) } }), status: 413 },
  {
    name: 'a 101 KiB body of multi-byte characters',
    body: JSON.stringify({ conf: { s: 'é'.repeat(52 * 1024) } }),
    status: 413,
  },
  {
    name: 'a 90 KiB conf',
    body: JSON.stringify({ dag_run_id: 'big', conf: { blob: 'x'.repeat(90 * 1024) } }),
    status: 200,
    run: { dag_run_id: 'big' },
  },
  { name: 'conf nested 5,000 deep', body: confDepth(5000), status: 400, field: 'conf' },
  { name: 'conf nested 33 deep', body: confDepth(33), status: 400, field: 'conf' },
  {
    name: 'conf nested 32 deep',
    body: JSON.stringify({ dag_run_id: 'deep32', conf: nested(32) }),
    status: 200,
    run: { dag_run_id: 'deep32' },
  },
  {
    name: 'an array bomb in conf',
    body: `{"conf":{"x":${'['.repeat(4000)}${']'.repeat(4000)}}}`,
    status: 400,
    field: 'conf',
  },
  runId('squatting the scheduler', 'scheduled__2026-01-01T00:00:00+00:00'),
  runId('squatting a backfill', 'backfill__2026-01-01T00:00:00+00:00'),
  runId('squatting an asset trigger', 'asset_triggered__0123456789abcdef01234567'),
  runId('squatting a dataset trigger', 'dataset_triggered__x'),
  runId('with NUL', 'a\u0000b'),
  runId('with a control character', 'a\u001bb'),
  runId('with a bidi override', 'evil\u202egnp.exe'),
  runId('with a lone surrogate', 'a\ud800b'),
  runId('with ..', '..'),
  runId('with a slash', 'a/b'),
  runId('of 251 characters', 'x'.repeat(251)),
  logicalDate('2026-02-30T00:00:00Z'),
  logicalDate('yesterday'),
  logicalDate('2026-01-01'),
  logicalDate('2026-01-01T00:00:00'),
  {
    name: 'logical_date with an offset',
    body: JSON.stringify({ dag_run_id: 'tz1', logical_date: '2026-01-01T01:00:00+01:00' }),
    status: 200,
    run: { dag_run_id: 'tz1', logical_date: '2026-01-01T00:00:00+00:00' },
  },
  {
    name: 'a manual__ run id',
    body: JSON.stringify({ dag_run_id: 'manual__2026-01-01T00:00:00+00:00' }),
    status: 200,
    run: { dag_run_id: 'manual__2026-01-01T00:00:00+00:00', run_type: 'manual' },
  },
];

/** A 400/413 answer is an Airflow problem document naming the field. */
export function problemOk(c: HostileCase, body: Record<string, unknown>): boolean {
  if (c.status === 200) return true;
  if (body.type !== 'about:blank' || body.status !== c.status || typeof body.detail !== 'string')
    return false;
  if (c.field === undefined) return true;
  return (body.errors as Array<{ field: string }> | undefined)?.some((e) => e.field === c.field) === true;
}

/** Every hostile case against one API: the status and problem document the table expects. */
export function itAnswersEveryHostileCase(
  post: (body: string) => Promise<{ status: number; body: Record<string, unknown> }>,
): void {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const answer = await post(c.body);
    expect({ status: answer.status, problem: problemOk(c, answer.body) }).toEqual({
      status: c.status,
      problem: true,
    });
    if (c.run) expect(answer.body).toMatchObject(c.run);
  });
}
