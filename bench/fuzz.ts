import fc from 'fast-check';
import { formatTable } from '../src/cli/table.ts';
import { fuzzInput, tryInput } from './fuzz-inputs.ts';

/**
 * More fuzz runs than the test suite's (FUZZ_RUNS, default 2,000; FUZZ_SEED, default 1), at full
 * size: nesting 20,000 deep, scalars of 2 MB. Prints, per kind of input, how many were tried, how
 * many crashed (a throw, an internal error or a stack trace), how many hung (over 10 s) and the
 * slowest, then each distinct problem with the start of an input that shows it.
 */
const HANG_MS = 10_000;

export async function run(): Promise<void> {
  const runs = Number(process.env.FUZZ_RUNS ?? 2000);
  const seed = Number(process.env.FUZZ_SEED ?? 1);
  const stats = new Map<
    string,
    { tried: number; crashes: number; hangs: number; maxMs: number; valid: number }
  >();
  const problems = new Map<string, string>();
  for (const { kind, text } of fc.sample(fuzzInput(), { numRuns: runs, seed })) {
    const outcome = tryInput(text);
    const s = stats.get(kind) ?? { tried: 0, crashes: 0, hangs: 0, maxMs: 0, valid: 0 };
    s.tried++;
    if (outcome.valid) s.valid++;
    if (outcome.problems.length > 0) s.crashes++;
    if (outcome.ms > HANG_MS) s.hangs++;
    s.maxMs = Math.max(s.maxMs, outcome.ms);
    stats.set(kind, s);
    for (const problem of outcome.problems) {
      const key = `${kind}: ${problem.slice(0, 160)}`;
      if (!problems.has(key)) problems.set(key, JSON.stringify(text.slice(0, 200)));
    }
  }
  const rows = [...stats].sort(([a], [b]) => (a < b ? -1 : 1));
  const total = rows.reduce(
    (t, [, s]) => ({
      tried: t.tried + s.tried,
      crashes: t.crashes + s.crashes,
      hangs: t.hangs + s.hangs,
      maxMs: Math.max(t.maxMs, s.maxMs),
      valid: t.valid + s.valid,
    }),
    { tried: 0, crashes: 0, hangs: 0, maxMs: 0, valid: 0 },
  );
  console.log(`\n### Fuzz: validate + compile in-process (${runs} inputs, seed ${seed})\n`);
  console.log(
    formatTable(
      ['kind', 'inputs tried', 'valid (compiled)', 'crashes', 'hangs', 'max ms'],
      [...rows, ['all', total] as const].map(([kind, s]) => [
        kind,
        String(s.tried),
        String(s.valid),
        String(s.crashes),
        String(s.hangs),
        s.maxMs.toFixed(0),
      ]),
    ),
  );
  for (const [problem, input] of problems) console.log(`\n- ${problem}\n  input: ${input}`);
}
