/** Durable Task history events in the wire shape the durable-functions replay code reads. */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

/** Action types of the out-of-process protocol (durable-functions ActionType). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  /** An ISO string on the wire; durable-functions turns it into a Date when it reads the history. */
  Timestamp: string | Date;
  [field: string]: unknown;
}

export const event = (
  type: number,
  nowMs: number,
  fields: Record<string, unknown> = {},
  eventId = -1,
): HistoryEvent => ({
  EventType: type,
  EventId: eventId,
  IsPlayed: false,
  Timestamp: new Date(nowMs).toISOString(),
  ...fields,
});

/** An action as the orchestrator returns it (plain fields of the durable-functions action classes). */
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date | string;
  isCanceled?: boolean;
  operation?: string;
  externalEventName?: string;
  compoundActions?: Action[];
}

/** Actions that take a sequence number, in the order the replay code numbers them. */
const NUMBERED: ReadonlySet<number> = new Set([
  ActionType.CallActivity,
  ActionType.CallActivityWithRetry,
  ActionType.CallSubOrchestrator,
  ActionType.CallSubOrchestratorWithRetry,
  ActionType.CreateTimer,
  ActionType.CallEntity,
  ActionType.CallHttp,
  ActionType.SignalEntity,
]);

/**
 * Flattens the action list (compound actions depth-first) into numbered actions, as the Durable
 * extension replays them. The extension schedules every occurrence, so an action object that
 * appears twice (a compound task re-yielding a task already scheduled) would run twice and shift
 * every later sequence number: that is refused here, loudly.
 */
export function numberActions(actions: Action[]): { numbered: Action[]; continueAsNew: Action | null } {
  const numbered: Action[] = [];
  const seen = new Set<Action>();
  let continueAsNew: Action | null = null;
  const walk = (list: Action[]): void => {
    for (const a of list) {
      if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) {
        walk(a.compoundActions ?? []);
        continue;
      }
      if (a.actionType === ActionType.ContinueAsNew) continueAsNew = a;
      if (!NUMBERED.has(a.actionType)) continue;
      if (seen.has(a)) {
        throw new Error(
          `orchestrator yielded an already scheduled ${a.functionName ?? 'task'} inside a compound task: ` +
            'the Durable extension would schedule it a second time',
        );
      }
      seen.add(a);
      numbered.push(a);
    }
  };
  walk(actions);
  return { numbered, continueAsNew };
}
