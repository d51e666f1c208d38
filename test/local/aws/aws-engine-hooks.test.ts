import { describe, expect, it } from 'vitest';
import { runAsl } from '../../../src/local/aws/aws-engine.ts';
import type { ChildStarter, EngineContext } from '../../../src/local/aws/aws-engine.ts';
import { CALLBACK_RESOURCE, CHILD_RESOURCE } from '../../../src/local/aws/integrations.ts';
import { LocalTaskTokens } from '../../../src/local/aws/task-tokens.ts';

/** The runAsl options the local Step Functions service uses: ids, signal, startChild, callback context. */
describe('runAsl hooks for the local Step Functions service', () => {
  it('uses the given ids in $$ and passes callback resources the context (token) and signal', async () => {
    const tokens = new LocalTaskTokens();
    const seen: Array<{ token?: string; aborted?: boolean }> = [];
    const result = await runAsl(
      {
        StartAt: 'Ids',
        States: {
          Ids: {
            Type: 'Pass',
            Parameters: { 'execution.$': '$$.Execution.Id', 'machine.$': '$$.StateMachine.Id' },
            ResultPath: '$.ids',
            Next: 'Wait',
          },
          Wait: {
            Type: 'Task',
            Resource: CALLBACK_RESOURCE,
            Parameters: { FunctionName: '${Gate}', Payload: { 'token.$': '$$.Task.Token' } },
            ResultPath: '$.woken',
            End: true,
          },
        },
      },
      {},
      {
        tokens,
        ids: { execution: 'arn:x:execution:m:e1', stateMachine: 'arn:x:stateMachine:m:3' },
        resources: {
          Gate: async (payload, context?: EngineContext, signal?: AbortSignal) => {
            const token = (payload as { token: string }).token;
            seen.push({ token: context?.Task?.Token, aborted: signal?.aborted });
            await tokens.sendTaskSuccess(token, { ok: token === context?.Task?.Token });
            return null;
          },
        },
      },
    );
    expect(result.execution_arn).toBe('arn:x:execution:m:e1');
    expect(result.output).toEqual({
      ids: { execution: 'arn:x:execution:m:e1', machine: 'arn:x:stateMachine:m:3' },
      woken: { ok: true },
    });
    expect(seen).toEqual([{ token: expect.any(String), aborted: false }]);
  });

  it('signal stops the top execution: runAsl throws and the pending task sees its signal abort', async () => {
    const stop = new AbortController();
    let taskSignal: AbortSignal | undefined;
    const run = runAsl(
      { StartAt: 'Hang', States: { Hang: { Type: 'Task', Resource: '${Hang}', End: true } } },
      {},
      {
        signal: stop.signal,
        resources: {
          Hang: (_p, _c, signal) => {
            taskSignal = signal;
            return new Promise(() => {});
          },
        },
      },
    );
    for (let i = 0; i < 100 && !taskSignal; i++) await new Promise((r) => setImmediate(r));
    stop.abort();
    await expect(run).rejects.toThrow('the execution was aborted');
    expect(taskSignal?.aborted).toBe(true);
  });

  it('startChild runs .sync:2 children elsewhere, by any StateMachineArn; a non-SUCCEEDED one fails the task', async () => {
    const calls: unknown[] = [];
    const startChild: ChildStarter = async ({ state, stateMachineArn, input, name }) => {
      calls.push({ state, stateMachineArn, input, name });
      const ok = (input as { ok: boolean }).ok;
      return {
        ExecutionArn: 'arn:child',
        Input: input,
        InputDetails: { Included: true },
        Name: name ?? 'generated',
        ...(ok ? { Output: { done: 1 } } : { Error: 'Boom', Cause: 'why' }),
        RedriveCount: 0,
        RedriveStatus: ok ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
        StartDate: 1,
        StateMachineArn: stateMachineArn,
        Status: ok ? 'SUCCEEDED' : 'ABORTED',
        StopDate: 2,
      };
    };
    const definition = {
      StartAt: 'Child',
      States: {
        Child: {
          Type: 'Task',
          Resource: CHILD_RESOURCE,
          Parameters: {
            StateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:c:2',
            'Input.$': '$',
            Name: 'n1',
          },
          ResultSelector: { 'out.$': '$.Output' },
          End: true,
        },
      },
    };
    const good = await runAsl(definition, { ok: true }, { resources: {}, startChild });
    expect(good.output).toEqual({ out: { done: 1 } });
    const bad = await runAsl(definition, { ok: false }, { resources: {}, startChild });
    expect(bad).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(bad.cause!)).toMatchObject({ Status: 'ABORTED', Error: 'Boom' });
    expect(calls[0]).toEqual({
      state: 'Child',
      stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:c:2',
      input: { ok: true },
      name: 'n1',
    });
  });
});
