import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/local/engines.ts';
import { planFromYaml } from './helpers.ts';

describe('airless run --engine azure against the emulators (real handlers)', () => {
  it('runs the Flink word count to success: one submit, polls on durable timers until FINISHED', async () => {
    const plan = planFromYaml(readFileSync('dags/flink_wordcount.yaml', 'utf8'));
    const conf = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<
      string,
      unknown
    >;
    const lines: string[] = [];
    const azure = await ENGINES.azure!.run!(plan, { conf, print: (l: string) => lines.push(l) } as never);
    expect(azure.state).toBe('success');
    expect(azure.tasks.submit_wordcount).toMatchObject({ state: 'success', try_number: 1 });
    expect(lines.filter((l) => /submitted wordcount-/.test(l))).toHaveLength(1);
    expect(
      lines.some((l) => /submit_wordcount try 1: FINISHED after \d+ polls?, job id [0-9a-f]{32}/.test(l)),
    ).toBe(true);
  });
});
