import { describe, expect, it } from 'vitest';
import { AirlessError } from '../../src/errors.ts';
import { runAsl } from '../../src/local/aws-engine.ts';

const still = (): never => {
  throw new AirlessError('StillRunning', 'not yet');
};

/** A job that answers StillRunning `polls` times, then its output. */
function job(polls: number): (payload: unknown) => Promise<unknown> {
  let left = polls;
  return async () => (left-- > 0 ? still() : { output: { status: 'FINISHED' } });
}

/** Polling by a Retry on StillRunning: one Task, retried. */
const retryPolling = {
  StartAt: 'poll',
  States: {
    poll: {
      Type: 'Task',
      Resource: '${TaskHandlerArn}',
      TimeoutSeconds: 60,
      Retry: [
        {
          ErrorEquals: ['StillRunning'],
          IntervalSeconds: 15,
          MaxAttempts: 100,
          BackoffRate: 2,
          MaxDelaySeconds: 300,
        },
      ],
      End: true,
    },
  },
};

/** The classic loop: Task returns a status, Choice tests it, Wait, back to the Task. */
const loopPolling = {
  StartAt: 'poll',
  States: {
    poll: { Type: 'Task', Resource: '${TaskHandlerArn}', TimeoutSeconds: 60, Next: 'done?' },
    'done?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.status', StringEquals: 'FINISHED', Next: 'ok' }],
      Default: 'wait',
    },
    wait: { Type: 'Wait', Seconds: 15, Next: 'poll' },
    ok: { Type: 'Succeed' },
  },
};

describe('runAsl on aws-local-stepfunctions', () => {
  it('calls resources by their definition-substitution name and reports the output', async () => {
    const seen: unknown[] = [];
    const result = await runAsl(
      retryPolling,
      { x: 1 },
      {
        resources: { TaskHandlerArn: async (p) => (seen.push(p), { output: { ok: true } }) },
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { output: { ok: true } }, error: null });
    expect(seen).toEqual([{ x: 1 }]);
  });

  it('refuses a definition whose substitution has no resource', async () => {
    await expect(runAsl(retryPolling, {}, { resources: {} })).rejects.toThrow(
      /no resource given for \$\{TaskHandlerArn\}/,
    );
  });

  it('reports a failed execution with the error name and cause', async () => {
    const result = await runAsl(
      retryPolling,
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
    const cost = async (definition: object, resource: (p: unknown) => Promise<unknown>) =>
      runAsl(definition, {}, { resources: { TaskHandlerArn: resource } });
    const byRetry = [await cost(retryPolling, job(0)), await cost(retryPolling, job(5))];
    let loopLeft = 5;
    const loopJob = async (): Promise<unknown> => ({ status: loopLeft-- > 0 ? 'RUNNING' : 'FINISHED' });
    const once = await cost(loopPolling, async () => ({ status: 'FINISHED' }));
    const looped = await cost(loopPolling, loopJob);
    expect((byRetry[1]!.transitions - byRetry[0]!.transitions) / 5).toBe(1);
    expect((byRetry[1]!.history_events - byRetry[0]!.history_events) / 5).toBe(3);
    expect((looped.transitions - once.transitions) / 5).toBe(3);
    // Wait 2 + Task 5 + Choice 2 = 9 in the model of historyEventsOf.
    expect((looped.history_events - once.history_events) / 5).toBe(9);
  });
});
