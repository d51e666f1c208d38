import { describe, expect, it } from 'vitest';
import { loadDagFiles } from '../../src/cli/load-dags.ts';
import { buildIr } from '../../src/compiler/build-ir.ts';
import { runAzureWithHandlers } from '../../src/local/azure/run-real.ts';
import { runAwsWithHandlers } from '../../src/local/aws/run-real-aws.ts';

async function plan(file: string) {
  const [loaded] = await loadDagFiles([file]);
  return buildIr(loaded!.dag!, loaded!.text);
}

describe('real handlers against the emulators: both engines schedule alike', () => {
  it('dags/movielens_genie.yaml (max_active_tasks 3, four transforms after one) has the same makespan and starts', async () => {
    const movielens = await plan('dags/movielens_genie.yaml');
    const options = {
      conf: { bucket: 'demo-bucket' },
      print: () => {},
      now: new Date('2026-01-01T00:00:00Z'),
    };
    const aws = await runAwsWithHandlers(movielens, options);
    const azure = await runAzureWithHandlers(movielens, options);
    expect(aws.state).toBe('success');
    expect(azure.state).toBe('success');
    expect(aws.makespan_s).toBe(azure.makespan_s);
    for (const [id, t] of Object.entries(azure.tasks)) expect(aws.tasks[id]!.start_s, id).toBe(t.start_s);
  });
});
