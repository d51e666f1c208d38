/**
 * Two ways to poll a job in ASL, measured by bench/asl.ts and test/local/aws/aws-engine.test.ts.
 * The compiler uses the first (src/compiler/aws/task-states.ts).
 */

/** A Task retried on the handler's StillRunning error: each poll is one more attempt. */
export const RETRY_POLLING = {
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

/** The classic loop: the Task returns a status, a Choice tests it, a Wait, back to the Task. */
export const LOOP_POLLING = {
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

/** A handler for each encoding whose job finishes after `polls` unfinished answers. */
export function pollingJob(
  encoding: 'retry' | 'loop',
  polls: number,
): (payload: unknown) => Promise<unknown> {
  let left = polls;
  return async () => {
    const running = left-- > 0;
    if (encoding === 'loop') return { status: running ? 'RUNNING' : 'FINISHED' };
    if (running) throw Object.assign(new Error('not yet'), { name: 'StillRunning' });
    return { output: { status: 'FINISHED' } };
  };
}
