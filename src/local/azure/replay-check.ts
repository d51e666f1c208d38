import * as df from 'durable-functions';
import { episodeStateOfFailure } from './durable-internals.ts';
import { registry } from './fake-core.ts';
import { EventType, numberActions, type Action, type HistoryEvent } from './history.ts';

const SCHEDULING: ReadonlySet<number> = new Set([
  EventType.TaskScheduled,
  EventType.SubOrchestrationInstanceCreated,
  EventType.TimerCreated,
  EventType.EventSent,
]);

function describeAction(a: Action): string {
  if (a.fireAt !== undefined) return `timer ${new Date(a.fireAt).toISOString()}`;
  if (a.operation !== undefined) return `entity ${a.instanceId}`;
  if (a.instanceId !== undefined) return `sub ${a.functionName} ${a.instanceId}`;
  return `activity ${a.functionName}`;
}

function describeEvent(e: HistoryEvent): string {
  switch (e.EventType) {
    case EventType.TimerCreated:
      return `timer ${new Date(e.FireAt as string).toISOString()}`;
    case EventType.EventSent:
      return `entity ${String(e.InstanceId)}`;
    case EventType.SubOrchestrationInstanceCreated:
      return `sub ${String(e.Name)} ${String(e.InstanceId)}`;
    default:
      return `activity ${String(e.Name)}`;
  }
}

/**
 * Replays an orchestration from its recorded history, one episode at a time, and returns every
 * place where the actions the code produces now differ from what the history says it scheduled
 * (an empty list means the orchestrator is deterministic over this history).
 */
export async function replayMismatches(
  name: string,
  instanceId: string,
  input: unknown,
  history: HistoryEvent[],
): Promise<string[]> {
  const reg = registry.get(name);
  if (reg === undefined) throw new Error(`no orchestrator named ${name}`);
  const mismatches: string[] = [];
  let lastStart = 0;
  for (let i = 0; i < history.length; i++) {
    const e = history[i]!;
    if (e.EventType === EventType.OrchestratorStarted) lastStart = i;
    if (e.EventType !== EventType.OrchestratorCompleted) continue;
    const seen = history.slice(0, i).filter((ev, k) => k < lastStart || !SCHEDULING.has(ev.EventType));
    const expected = history
      .slice(0, i)
      .filter((ev) => SCHEDULING.has(ev.EventType))
      .map(describeEvent);
    const binding = {
      history: seen,
      input,
      instanceId,
      isReplaying: true,
      upperSchemaVersion: 2,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    let actions: Action[];
    try {
      const state = (await reg.handler(binding, new df.DummyOrchestrationContext(name))) as {
        actions: Action[][];
      };
      actions = state.actions[0] ?? [];
    } catch (e) {
      const carried = episodeStateOfFailure(e);
      if (carried === null) throw e;
      actions = carried.actions[0] ?? [];
    }
    const produced = numberActions(actions).numbered.map(describeAction);
    if (JSON.stringify(produced) !== JSON.stringify(expected)) {
      mismatches.push(
        `episode ending at event ${i}: history ${JSON.stringify(expected)} replay ${JSON.stringify(produced)}`,
      );
    }
  }
  return mismatches;
}
