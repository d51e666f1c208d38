import { describe, expect, it } from 'vitest';
import { AirlessError } from '../../../src/errors.ts';
import { runAsl } from '../../../src/local/aws/aws-engine.ts';
import { LOOP_POLLING, pollingJob, RETRY_POLLING } from '../../../bench/polling-encodings.ts';

describe('runAsl on aws-local-stepfunctions', () => {
  it('calls resources by their definition-substitution name and reports the output', async () => {
    const seen: unknown[] = [];
    const result = await runAsl(
      RETRY_POLLING,
      { x: 1 },
      {
        resources: { TaskHandlerArn: async (p) => (seen.push(p), { output: { ok: true } }) },
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { output: { ok: true } }, error: null });
    expect(seen).toEqual([{ x: 1 }]);
  });

  it('refuses a definition whose substitution has no resource', async () => {
    await expect(runAsl(RETRY_POLLING, {}, { resources: {} })).rejects.toThrow(
      /no resource given for \$\{TaskHandlerArn\}/,
    );
  });

  it('reports a failed execution with the error name and cause', async () => {
    const result = await runAsl(
      RETRY_POLLING,
      {},
      {
        resources: {
          TaskHandlerArn: async () => {
            throw new AirlessError('JobFailed', 'the job failed');
          },
        },
      },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed', cause: 'the job failed' });
  });

  it('measures a poll: 1 transition and 3 history events by Retry, 3 and 9 by a Wait/Task/Choice loop', async () => {
    const cost = async (encoding: 'retry' | 'loop', polls: number) =>
      runAsl(
        encoding === 'retry' ? RETRY_POLLING : LOOP_POLLING,
        {},
        { resources: { TaskHandlerArn: pollingJob(encoding, polls) } },
      );
    const perPoll = async (encoding: 'retry' | 'loop') => {
      const [none, five] = [await cost(encoding, 0), await cost(encoding, 5)];
      return [(five.transitions - none.transitions) / 5, (five.history_events - none.history_events) / 5];
    };
    expect(await perPoll('retry')).toEqual([1, 3]);
    // Wait 2 + Task 5 + Choice 2 = 9 in the model of historyEventsOf.
    expect(await perPoll('loop')).toEqual([3, 9]);
  });
});
