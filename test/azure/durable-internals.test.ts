import { readFileSync } from 'node:fs';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  episodeStateOfFailure,
  installedVersion,
  PINNED_VERSION,
  replayExecutorOf,
} from '../../src/local/azure/durable-internals.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';

/**
 * The local Durable host uses two durable-functions internals (src/local/azure/durable-internals.ts).
 * These tests fail loudly when an upgrade moves either, instead of the host misbehaving quietly.
 */
let local: LocalDurable | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
});

describe('durable-functions internals the local host relies on', () => {
  it('the pinned version is the installed one', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['durable-functions']).toBe(PINNED_VERSION);
    expect(installedVersion()).toBe(PINNED_VERSION);
  });

  it.each(['full', 'incremental'] as const)(
    '%s replay: a failing orchestrator ends Failed with the state it carried (marker, or the kept executor)',
    async (replay) => {
      df.app.orchestration(`internals_probe_${replay}`, function* (context: OrchestrationContext) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
        context.df.setCustomStatus('after the timer');
        throw new Error('probe failed on purpose');
      });
      local = await openLocalDurable({ clock: 'virtual', replay, register: () => {} });
      local.host.startNew(`internals_probe_${replay}`, 'p1', null);
      await local.host.runUntilIdle();
      const status = local.host.status('p1')!;
      expect(status.runtimeStatus).toBe('Failed');
      expect(status.customStatus).toBe('after the timer');
    },
  );

  it('names what is missing when the executor changed shape', () => {
    expect(() => replayExecutorOf({ taskOrchestratorExecutor: { actions: [] } })).toThrow(
      /changed internals .*missing: processEvent, isDoneExecuting, hasCompletedSuccessfully, _isReplaying, context.*3\.5\.0/,
    );
    expect(() => replayExecutorOf({})).toThrow(/missing: taskOrchestratorExecutor/);
    expect(episodeStateOfFailure(new Error('plain'))).toBeNull();
    expect(episodeStateOfFailure(new Error('x $OutOfProcData$:{"isDone":false,"actions":[[]]}'))).toEqual({
      isDone: false,
      actions: [[]],
    });
  });
});
