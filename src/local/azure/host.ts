import { registry, type Registration } from './fake-core.ts';
import * as df from 'durable-functions';
import {
  type EpisodeState,
  episodeStateOfFailure,
  type ReplayExecutor,
  replayExecutorOf,
} from './durable-internals.ts';
import azfn from '@azure/functions';
import { ActionType, EventType, event, numberActions, type Action, type HistoryEvent } from './history.ts';
import { WorkQueue } from './work-queue.ts';

const { InvocationContext } = azfn;

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  createdTime: string;
  lastUpdatedTime: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
}

interface Instance {
  id: string;
  name: string;
  input: unknown;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  createdMs: number;
  updatedMs: number;
  /** Bumped by continue-as-new; work of an older execution is dropped. */
  execution: number;
  history: HistoryEvent[];
  inbox: HistoryEvent[];
  /** Numbered actions of this execution already scheduled. */
  scheduled: number;
  timers: Map<number, TimerItem>;
  parent: { id: string; seq: number } | null;
  /** Every event of every execution, for counting and replay tests. */
  allEvents: number;
  /** Incremental replay: the live replay state of durable-functions after the last episode. */
  session: ReplayExecutor | null;
}

interface TimerItem {
  kind: 'timer';
  instance: string;
  execution: number;
  seq: number;
  fireAt: string;
  cancelled: boolean;
}

type WorkItem =
  | { kind: 'activity'; instance: string; execution: number; seq: number; name: string; input: unknown }
  | TimerItem
  | {
      kind: 'entity';
      entity: string;
      op: string;
      input: unknown;
      reply: { instance: string; execution: number; requestId: string } | null;
    }
  | { kind: 'event'; instance: string; execution: number | null; event: HistoryEvent };

export interface HostStats {
  episodes: number;
  replayedEvents: number;
  replayMs: number;
  activities: number;
  historyEvents: number;
  /** Wall time inside activities (including their calls to the client endpoint). */
  activityMs: number;
}

export interface HostOptions {
  /** virtual: time jumps to the next due timer and activities take no time; real: the wall clock. */
  clock: 'virtual' | 'real';
  /** Virtual start instant (ms since epoch). */
  startMs?: number;
  /** The client binding data activities and HTTP functions get (points at the host's RPC server). */
  clientData?: unknown;
  /**
   * full (default): every episode replays the whole history, as the Durable extension does with an
   * out-of-process orchestrator. incremental: like extended sessions, the replay state of
   * durable-functions is kept between episodes and fed only the new events (same code, same
   * actions, same history; a simulation of thousands of tasks stays linear).
   */
  replay?: 'full' | 'incremental';
}

const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

/**
 * A local Durable Functions host: it keeps each instance's history, runs the orchestrators that
 * durable-functions registered (their own replay code, from the full history, every episode),
 * executes the actions they return like the Durable extension's out-of-process shim (activities,
 * timers including cancelled ones, sub-orchestrations, continue-as-new, entity calls and signals,
 * external events), on a virtual or real clock.
 */
export class DurableHost {
  readonly instances = new Map<string, Instance>();
  readonly stats: HostStats = {
    episodes: 0,
    replayedEvents: 0,
    replayMs: 0,
    activities: 0,
    historyEvents: 0,
    activityMs: 0,
  };
  private readonly entities = new Map<string, string | undefined>();
  /** Operations on one entity run one at a time, in arrival order, as Durable Entities guarantee. */
  private readonly entityTails = new Map<string, Promise<void>>();
  private readonly queue = new WorkQueue<WorkItem>();
  private readonly dirty = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly functions: Map<string, Registration>;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  now: number;
  clientData: unknown;

  constructor(private readonly options: HostOptions) {
    this.now = options.clock === 'virtual' ? (options.startMs ?? Date.UTC(2026, 0, 1)) : Date.now();
    this.clientData = options.clientData;
    this.functions = new Map(registry);
  }

  /** Schedules a new orchestration instance; a live instance with the same id is a conflict. */
  startNew(name: string, instanceId: string, input: unknown): void {
    const existing = this.instances.get(instanceId);
    if (existing !== undefined && !TERMINAL.has(existing.status)) {
      throw Object.assign(new Error(`instance ${instanceId} already exists (${existing.status})`), {
        status: 409,
      });
    }
    if (!this.functions.has(name))
      throw Object.assign(new Error(`no orchestrator named ${name}`), { status: 404 });
    this.create(name, instanceId, input, null);
    this.poke();
  }

  raiseEvent(instanceId: string, name: string, data: unknown): void {
    const inst = this.mustGet(instanceId);
    if (TERMINAL.has(inst.status)) return;
    this.deliver(
      inst.id,
      null,
      event(EventType.EventRaised, this.clock(), { Name: name, Input: JSON.stringify(data ?? null) }),
    );
  }

  terminate(instanceId: string, reason: string): void {
    const inst = this.mustGet(instanceId);
    if (TERMINAL.has(inst.status)) return;
    inst.history.push(event(EventType.ExecutionTerminated, this.clock(), { Input: JSON.stringify(reason) }));
    inst.allEvents += 1;
    this.finish(inst, 'Terminated', reason, `terminated: ${reason}`);
  }

  signalEntity(entity: string, op: string, input: unknown): void {
    this.queue.push(this.clock(), { kind: 'entity', entity, op, input, reply: null });
    this.poke();
  }

  readEntity(entity: string): unknown {
    const s = this.entities.get(entity);
    return s === undefined ? undefined : JSON.parse(s);
  }

  status(instanceId: string): InstanceStatus | undefined {
    const inst = this.instances.get(instanceId);
    if (inst === undefined) return undefined;
    return {
      name: inst.name,
      instanceId: inst.id,
      runtimeStatus: inst.status,
      createdTime: new Date(inst.createdMs).toISOString(),
      lastUpdatedTime: new Date(inst.updatedMs).toISOString(),
      input: inst.input ?? null,
      output: inst.output ?? null,
      customStatus: inst.customStatus ?? null,
    };
  }

  historyOf(instanceId: string): HistoryEvent[] {
    return this.mustGet(instanceId).history;
  }

  /**
   * Runs until nothing is left to do (every instance waits on nothing or has ended), or, on the
   * virtual clock, until the next work is due after `untilMs`.
   */
  async runUntilIdle(untilMs = Infinity): Promise<void> {
    for (;;) {
      if (this.failure !== null) throw this.failure;
      if (this.dirty.size > 0) {
        for (const id of [...this.dirty].sort()) {
          this.dirty.delete(id);
          await this.episode(this.instances.get(id)!);
        }
        continue;
      }
      // A cancelled timer is dropped without moving the clock to its due time.
      for (let top = this.queue.peek(); top?.kind === 'timer' && top.cancelled; top = this.queue.peek()) {
        this.queue.pop();
      }
      const due = this.queue.peekDue();
      if (due === undefined) {
        if (this.inflight.size === 0) return;
        await Promise.race(this.inflight);
        continue;
      }
      if (due > this.clock()) {
        if (this.options.clock === 'virtual') {
          if (this.inflight.size > 0) {
            await Promise.all(this.inflight);
            continue;
          }
          if (due > untilMs) return;
          this.now = due;
        } else {
          await this.sleep(due - Date.now());
          continue;
        }
      }
      while ((this.queue.peekDue() ?? Infinity) <= this.clock()) this.process(this.queue.pop()!.item);
    }
  }

  /** Keeps running, woken by new work (HTTP, RPC), until the returned stop function is called. */
  serve(): () => Promise<void> {
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        await this.runUntilIdle();
        if (!stopped) await this.sleep(60_000);
      }
    })();
    return async () => {
      stopped = true;
      this.poke();
      await loop;
    };
  }

  /** Runs until the instance ends; fails if the host goes idle first. */
  async waitFor(instanceId: string): Promise<InstanceStatus> {
    await this.runUntilIdle();
    const s = this.status(instanceId);
    if (s === undefined || !TERMINAL.has(s.runtimeStatus)) {
      throw new Error(`instance ${instanceId} did not finish (${s?.runtimeStatus ?? 'unknown'})`);
    }
    return s;
  }

  private clock(): number {
    if (this.options.clock === 'real') this.now = Date.now();
    return this.now;
  }

  private poke(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const inflight = [...this.inflight];
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      for (const p of inflight) void p.then(done);
    }).then(() => {
      this.wake = null;
    });
  }

  private mustGet(instanceId: string): Instance {
    const inst = this.instances.get(instanceId);
    if (inst === undefined) throw Object.assign(new Error(`no instance ${instanceId}`), { status: 404 });
    return inst;
  }

  private create(name: string, id: string, input: unknown, parent: Instance['parent']): void {
    const now = this.clock();
    const inst: Instance = {
      id,
      name,
      input,
      status: 'Pending',
      output: undefined,
      customStatus: undefined,
      createdMs: now,
      updatedMs: now,
      execution: 0,
      history: [],
      inbox: [event(EventType.ExecutionStarted, now, { Name: name, Input: JSON.stringify(input ?? null) })],
      scheduled: 0,
      timers: new Map(),
      parent,
      allEvents: 0,
      session: null,
    };
    this.instances.set(id, inst);
    this.dirty.add(id);
  }

  private deliver(instance: string, execution: number | null, ev: HistoryEvent): void {
    this.queue.push(this.clock(), { kind: 'event', instance, execution, event: ev });
    this.poke();
  }

  private process(item: WorkItem): void {
    switch (item.kind) {
      case 'event': {
        const inst = this.instances.get(item.instance);
        if (inst === undefined || TERMINAL.has(inst.status)) return;
        if (item.execution !== null && item.execution !== inst.execution) return;
        inst.inbox.push(item.event);
        this.dirty.add(inst.id);
        return;
      }
      case 'timer': {
        const inst = this.instances.get(item.instance)!;
        if (item.cancelled || item.execution !== inst.execution) return;
        inst.timers.delete(item.seq);
        this.deliver(
          inst.id,
          item.execution,
          event(EventType.TimerFired, this.now, { TimerId: item.seq, FireAt: item.fireAt }),
        );
        return;
      }
      case 'activity':
        this.track(this.runActivity(item));
        return;
      case 'entity': {
        const next = (this.entityTails.get(item.entity) ?? Promise.resolve()).then(() =>
          this.runEntity(item),
        );
        this.entityTails.set(
          item.entity,
          next.catch(() => undefined),
        );
        this.track(next);
        return;
      }
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((e: unknown) => {
        this.failure = e as Error;
      })
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async runActivity(item: Extract<WorkItem, { kind: 'activity' }>): Promise<void> {
    this.stats.activities += 1;
    const t0 = performance.now();
    const reg = this.functions.get(item.name);
    let completion: HistoryEvent;
    try {
      if (reg === undefined) throw new Error(`no activity named ${item.name}`);
      const result = await reg.handler(item.input, this.invocationContext(item.name, reg));
      completion = event(EventType.TaskCompleted, this.clock(), {
        TaskScheduledId: item.seq,
        Result: JSON.stringify(result ?? null),
      });
    } catch (e) {
      const err = e as Error;
      completion = event(EventType.TaskFailed, this.clock(), {
        TaskScheduledId: item.seq,
        Reason: `Activity function '${item.name}' failed: ${err.message}`,
        Details: err.stack ?? '',
      });
    }
    this.stats.activityMs += performance.now() - t0;
    this.deliver(item.instance, item.execution, completion);
  }

  private async runEntity(item: Extract<WorkItem, { kind: 'entity' }>): Promise<void> {
    const pos = item.entity.indexOf('@', 1);
    const name = item.entity.substring(1, pos);
    const key = item.entity.substring(pos + 1);
    const reg = this.functions.get(name);
    if (reg === undefined) throw new Error(`no entity named ${name}`);
    const state = this.entities.get(item.entity);
    const trigger = {
      self: { name, key },
      exists: state !== undefined,
      state,
      batch: [{ name: item.op, signal: item.reply === null, input: JSON.stringify(item.input ?? null) }],
    };
    const out = (await reg.handler(trigger, new InvocationContext({ functionName: name }))) as {
      entityExists: boolean;
      entityState?: string;
      results: Array<{ isError: boolean; result?: string }>;
    };
    this.entities.set(item.entity, out.entityExists ? out.entityState : undefined);
    if (item.reply === null) return;
    const r = out.results[0];
    const response = r?.isError
      ? { result: r.result ?? '""', exceptionType: 'Error' }
      : { result: r?.result ?? 'null' };
    this.deliver(
      item.reply.instance,
      item.reply.execution,
      event(EventType.EventRaised, this.clock(), {
        Name: item.reply.requestId,
        Input: JSON.stringify(response),
      }),
    );
  }

  /** The registrations this host runs (a snapshot taken when it was created). */
  registration(name: string): Registration | undefined {
    return this.functions.get(name);
  }

  registrations(): Registration[] {
    return [...this.functions.values()];
  }

  /** An invocation context as the worker builds it, durable client bindings filled in. */
  invocationContext(
    name: string,
    reg: Registration,
    triggerMetadata?: Record<string, unknown>,
  ): InstanceType<typeof InvocationContext> {
    const clientBindings = Object.entries(reg.metadata.bindings)
      .filter(([, b]) => b.type === 'durableClient')
      .map(([bindingName, b]) => ({ ...b, name: bindingName }));
    const context = new InvocationContext({
      functionName: name,
      options: { extraInputs: clientBindings as never },
      logHandler: () => {},
      triggerMetadata,
    });
    for (const b of clientBindings) context.extraInputs.set(b as never, this.clientData);
    return context;
  }

  private async episode(inst: Instance): Promise<void> {
    if (TERMINAL.has(inst.status) || inst.inbox.length === 0) return;
    const now = this.clock();
    const incoming = [event(EventType.OrchestratorStarted, now), ...inst.inbox];
    inst.inbox = [];
    const replaying = inst.history.length > 0;
    const history = inst.history;
    history.push(...incoming);
    inst.status = 'Running';
    const reg = this.functions.get(inst.name);
    if (reg === undefined) throw new Error(`no orchestrator named ${inst.name}`);
    const t0 = performance.now();
    let state: EpisodeState;
    let failed: string | null = null;
    if (inst.session !== null) {
      ({ state, failed } = resumeEpisode(inst.session, incoming));
      this.stats.replayedEvents += incoming.length;
    } else {
      const context = new df.DummyOrchestrationContext(inst.name);
      try {
        state = (await reg.handler(this.binding(inst, history, replaying), context)) as EpisodeState;
      } catch (e) {
        const carried = episodeStateOfFailure(e);
        if (carried === null) throw e;
        state = carried;
        failed = state.error ?? 'orchestrator failed';
      }
      this.stats.replayedEvents += history.length;
      if (this.options.replay === 'incremental') {
        inst.session = replayExecutorOf(context.df);
      }
    }
    this.stats.replayMs += performance.now() - t0;
    this.stats.episodes += 1;

    const { numbered, continueAsNew } = numberActions(state.actions[0] ?? []);
    for (let seq = 0; seq < inst.scheduled; seq++) {
      const a = numbered[seq];
      if (a?.actionType === ActionType.CreateTimer && a.isCanceled) {
        const t = inst.timers.get(seq);
        if (t !== undefined) t.cancelled = true;
        inst.timers.delete(seq);
      }
    }
    const scheduled: HistoryEvent[] = [];
    for (let seq = inst.scheduled; seq < numbered.length; seq++)
      scheduled.push(...this.schedule(inst, seq, numbered[seq]!));
    inst.scheduled = numbered.length;
    const completed = event(EventType.OrchestratorCompleted, now);
    history.push(...scheduled, completed);
    // Kept replay state must see what a full replay would: EventSent re-keys entity calls.
    for (const ev of scheduled) inst.session?.processEvent(asParsed(ev));
    inst.allEvents += incoming.length + scheduled.length + 1;
    this.stats.historyEvents += incoming.length + scheduled.length + 1;
    inst.updatedMs = now;
    if (state.customStatus !== undefined) inst.customStatus = state.customStatus;

    if (failed !== null) this.finish(inst, 'Failed', null, failed);
    else if (continueAsNew !== null) this.continueAsNew(inst, continueAsNew.input);
    else if (state.isDone) this.finish(inst, 'Completed', state.output, null);
  }

  private binding(inst: Instance, history: HistoryEvent[], replaying: boolean): Record<string, unknown> {
    return {
      history,
      input: inst.input,
      instanceId: inst.id,
      isReplaying: replaying,
      parentInstanceId: inst.parent?.id,
      upperSchemaVersion: 2,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
  }

  private schedule(inst: Instance, seq: number, a: Action): HistoryEvent[] {
    const now = this.now;
    switch (a.actionType) {
      case ActionType.CallActivity:
        this.queue.push(now, {
          kind: 'activity',
          instance: inst.id,
          execution: inst.execution,
          seq,
          name: a.functionName!,
          input: a.input,
        });
        return [
          event(
            EventType.TaskScheduled,
            now,
            { Name: a.functionName, Input: JSON.stringify(a.input ?? null) },
            seq,
          ),
        ];
      case ActionType.CreateTimer: {
        const fireAt = new Date(a.fireAt as Date | string).toISOString();
        const timer: TimerItem = {
          kind: 'timer',
          instance: inst.id,
          execution: inst.execution,
          seq,
          fireAt,
          cancelled: false,
        };
        inst.timers.set(seq, timer);
        this.queue.push(Math.max(Date.parse(fireAt), now), timer);
        return [event(EventType.TimerCreated, now, { FireAt: fireAt }, seq)];
      }
      case ActionType.CallSubOrchestrator: {
        const childId = a.instanceId ?? `${inst.id}:${inst.execution}:${seq}`;
        this.create(a.functionName!, childId, a.input, { id: inst.id, seq });
        return [
          event(
            EventType.SubOrchestrationInstanceCreated,
            now,
            { Name: a.functionName, InstanceId: childId, Input: JSON.stringify(a.input ?? null) },
            seq,
          ),
        ];
      }
      case ActionType.CallEntity: {
        const requestId = `${inst.id}:${inst.execution}:${seq}`;
        this.queue.push(now, {
          kind: 'entity',
          entity: a.instanceId!,
          op: a.operation!,
          input: a.input,
          reply: { instance: inst.id, execution: inst.execution, requestId },
        });
        const message = {
          id: requestId,
          op: a.operation,
          signal: false,
          input: JSON.stringify(a.input ?? null),
          parent: inst.id,
        };
        return [
          event(
            EventType.EventSent,
            now,
            { InstanceId: a.instanceId, Name: 'op', Input: JSON.stringify(message) },
            seq,
          ),
        ];
      }
      case ActionType.SignalEntity:
        this.queue.push(now, {
          kind: 'entity',
          entity: a.instanceId!,
          op: a.operation!,
          input: a.input,
          reply: null,
        });
        return [event(EventType.EventSent, now, { InstanceId: a.instanceId, Name: 'op' }, seq)];
      default:
        throw new Error(`the local Durable host does not support action type ${a.actionType}`);
    }
  }

  private continueAsNew(inst: Instance, input: unknown): void {
    for (const t of inst.timers.values()) t.cancelled = true;
    inst.timers.clear();
    inst.execution += 1;
    inst.session = null;
    inst.input = input;
    inst.history = [];
    inst.scheduled = 0;
    inst.inbox = [
      event(EventType.ExecutionStarted, this.now, { Name: inst.name, Input: JSON.stringify(input ?? null) }),
    ];
    this.dirty.add(inst.id);
  }

  private finish(inst: Instance, status: RuntimeStatus, output: unknown, error: string | null): void {
    inst.status = status;
    inst.output = output;
    inst.updatedMs = this.clock();
    for (const t of inst.timers.values()) t.cancelled = true;
    inst.timers.clear();
    if (inst.parent === null) return;
    const ev =
      status === 'Completed'
        ? event(EventType.SubOrchestrationInstanceCompleted, this.now, {
            TaskScheduledId: inst.parent.seq,
            Result: JSON.stringify(output ?? null),
          })
        : event(EventType.SubOrchestrationInstanceFailed, this.now, {
            TaskScheduledId: inst.parent.seq,
            Reason: error ?? status,
            Details: '',
          });
    this.deliver(inst.parent.id, null, ev);
  }
}

/** One episode on kept replay state: the new events only, read back as the executor reports them. */
function resumeEpisode(
  executor: ReplayExecutor,
  incoming: HistoryEvent[],
): { state: EpisodeState; failed: string | null } {
  for (const ev of incoming) {
    executor._isReplaying = false;
    executor.processEvent(asParsed(ev));
    if (executor.isDoneExecuting()) break;
  }
  const state: EpisodeState = {
    isDone: executor.hasCompletedSuccessfully(),
    actions: [executor.actions],
    output: executor.output,
    customStatus: executor.context.customStatus,
  };
  return { state, failed: executor.exception === undefined ? null : executor.exception.message };
}

/** What durable-functions does to a history it is given (Utils.getInstancesOf): Timestamps become Dates. */
function asParsed(ev: HistoryEvent): HistoryEvent {
  if (typeof ev.Timestamp === 'string') ev.Timestamp = new Date(ev.Timestamp);
  return ev;
}
