import { randomUUID } from 'node:crypto';
import type { ServiceChildDescription } from '../integrations.ts';
import { type ArnScope, checkExecutionArn, checkName, executionArnOf, parseMachineRef } from './arns.ts';
import { prepareDefinition } from './definition.ts';
import { SfnError, optional, required, validation } from './errors.ts';
import { ExecutionHistory, type StoredEvent, withoutData } from './history.ts';
import { historyFile, type Journal } from './journal.ts';
import { page, type StateMachines, type Target } from './machines.ts';
import {
  type ExecutionStatus,
  type Outcome,
  type RunnerDeps,
  type RunningExecution,
  runExecution,
} from './runner.ts';

export interface ExecutionRecord {
  executionArn: string;
  /** The unqualified state machine ARN. */
  stateMachineArn: string;
  versionArn?: string;
  aliasArn?: string;
  name: string;
  input: string;
  roleArn: string;
  startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** The execution whose `.sync:2` task started this one. */
  parent?: string;
  /** Start order, for listing newest first and paging. */
  seq: number;
}

/** An execution a previous service process left RUNNING: nothing runs it now. */
export interface InterruptedExecution {
  executionArn: string;
  stateMachineArn: string;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  name: string;
  input: string;
  startDate: Date;
  parent?: string;
}

type Entry =
  | { t: 'start'; record: ExecutionRecord }
  | ({ t: 'end'; executionArn: string } & Pick<
      ExecutionRecord,
      'status' | 'stopDate' | 'output' | 'error' | 'cause'
    >);

const FILE = 'executions.jsonl';
const MAX_INPUT_CHARS = 262_144;
const RECENT_HISTORIES = 16;

interface Live extends RunningExecution {
  /** The record is final (history and journal written). */
  done: Promise<void>;
  /** A StopExecution's error and cause, written on ExecutionAborted. */
  stopRequest?: { error?: string; cause?: string };
  /** The service closed: nothing more is written for it (a later instance sees it interrupted). */
  detached: boolean;
}

export interface ExecutionsOptions {
  scope: ArnScope;
  now: () => number;
  journal: Journal | null;
  machines: StateMachines;
  runner: Omit<RunnerDeps, 'startChild' | 'stopChild'>;
  /** Called with the record on every status change (RUNNING, then the end). */
  onStatus: (record: ExecutionRecord) => void;
  /** What cannot be answered to a caller: an execution whose end could not be written. */
  onError: (error: unknown) => void;
}

/** Executions: start (idempotent by name), describe, stop, list, history, and their persistence. */
export class Executions {
  readonly #records = new Map<string, ExecutionRecord>();
  /** Histories in memory: every one without a directory; with one, running ones and a few read. */
  readonly #histories = new Map<string, StoredEvent[]>();
  readonly #recent: string[] = [];
  readonly #live = new Map<string, Live>();
  #seq = 0;

  constructor(private readonly o: ExecutionsOptions) {
    for (const entry of (o.journal?.read(FILE) ?? []) as Entry[]) {
      if (entry.t === 'start') {
        this.#records.set(entry.record.executionArn, { ...entry.record });
        this.#seq = Math.max(this.#seq, entry.record.seq);
      } else {
        const record = this.#records.get(entry.executionArn);
        if (record) Object.assign(record, endFields(entry));
      }
    }
  }

  #record(arn: string): ExecutionRecord {
    checkExecutionArn(arn);
    const record = this.#records.get(arn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  start(body: Record<string, unknown>) {
    const record = this.#start(
      required(body, 'stateMachineArn'),
      optional(body, 'input'),
      optional(body, 'name'),
    );
    return { executionArn: record.executionArn, startDate: new Date(record.startDate) };
  }

  #start(targetArn: string, inputText: string | undefined, givenName: string | undefined, parent?: string) {
    const target = this.o.machines.target(targetArn);
    const name = givenName ?? randomUUID();
    checkName(name, 'execution');
    const input = inputText ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    if (input.length > MAX_INPUT_CHARS) throw new SfnError('InvalidExecutionInput', 'input is over 256 KiB');
    const executionArn = executionArnOf(this.o.scope, target.machine.name, name);
    const existing = this.#records.get(executionArn);
    if (existing) {
      // As on AWS: the same name and input as a running execution is that execution.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: target.machine.arn,
      ...(target.versionArn ? { versionArn: target.versionArn } : {}),
      ...(target.aliasArn ? { aliasArn: target.aliasArn } : {}),
      name,
      input,
      roleArn: target.roleArn,
      startDate: this.o.now(),
      status: 'RUNNING',
      ...(parent ? { parent } : {}),
      seq: ++this.#seq,
    };
    this.#records.set(executionArn, record);
    this.o.journal?.append(FILE, { t: 'start', record } satisfies Entry);
    this.#launch(record, target, parsed);
    this.o.onStatus(record);
    return record;
  }

  #launch(record: ExecutionRecord, target: Target, input: unknown): void {
    const events: StoredEvent[] = [];
    this.#histories.set(record.executionArn, events);
    const file = historyFile(record.executionArn);
    const live: Live = {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      input,
      stop: new AbortController(),
      stopping: false,
      detached: false,
      done: Promise.resolve(),
    };
    const prepared = prepareDefinition(target.definition);
    const history = new ExecutionHistory(
      prepared.shape,
      this.o.now,
      (event) => {
        if (!live.detached) this.o.journal?.append(file, event);
      },
      events,
    );
    history.executionStarted(record.input, record.roleArn, {
      ...(record.versionArn ? { stateMachineVersionArn: record.versionArn } : {}),
      ...(record.aliasArn ? { stateMachineAliasArn: record.aliasArn } : {}),
    });
    this.#live.set(record.executionArn, live);
    const deps: RunnerDeps = {
      ...this.o.runner,
      startChild: (arn, childInput, name) => this.#startChild(record.executionArn, arn, childInput, name),
      stopChild: (arn) => this.#stop(arn, { error: 'States.Aborted', cause: 'the parent task stopped' }),
    };
    live.done = (async () => {
      const outcome: Outcome = await runExecution(deps, prepared, history, live);
      if (live.detached) return;
      this.#end(record, outcome, history, live.stopRequest);
      this.#live.delete(record.executionArn);
    })().catch((error: unknown) => {
      // Its end could not be written (the directory failed): it stays RUNNING, as after a crash.
      this.#live.delete(record.executionArn);
      this.o.onError(error);
    });
  }

  #end(
    record: ExecutionRecord,
    outcome: Outcome,
    history: ExecutionHistory,
    stop?: Live['stopRequest'],
  ): void {
    const previous = history.lastId;
    if (outcome.status === 'SUCCEEDED') {
      history.add(
        'ExecutionSucceeded',
        { output: outcome.output, outputDetails: { truncated: false } },
        previous,
      );
    } else if (outcome.status === 'FAILED') {
      history.add('ExecutionFailed', { error: outcome.error, cause: outcome.cause }, previous);
    } else if (outcome.status === 'ABORTED') {
      history.add('ExecutionAborted', stop?.error || stop?.cause ? { ...stop } : null, previous);
    } else {
      history.add('ExecutionTimedOut', { error: 'States.Timeout' }, previous);
    }
    const end = {
      status: outcome.status,
      stopDate: this.o.now(),
      ...(outcome.status === 'SUCCEEDED' ? { output: outcome.output } : {}),
      ...(outcome.status === 'FAILED' || outcome.status === 'TIMED_OUT'
        ? { error: outcome.error, cause: outcome.cause }
        : {}),
      ...(outcome.status === 'ABORTED' ? { error: stop?.error, cause: stop?.cause } : {}),
    };
    Object.assign(record, endFields(end));
    this.o.journal?.append(FILE, {
      t: 'end',
      executionArn: record.executionArn,
      ...endFields(end),
    } satisfies Entry);
    this.o.onStatus(record);
  }

  #startChild(parent: string, arn: string, input: unknown, name: string | undefined) {
    const record = this.#start(arn, JSON.stringify(input ?? {}), name, parent);
    const live = this.#live.get(record.executionArn);
    return {
      executionArn: record.executionArn,
      startDate: record.startDate,
      ended: (live?.done ?? Promise.resolve()).then(() => describeChild(record)),
    };
  }

  /** Resolves once the execution's record is final (ended, or the service closed). */
  async whenEnded(executionArn: string): Promise<void> {
    await this.#live.get(executionArn)?.done;
  }

  describe(body: Record<string, unknown>) {
    const r = this.#record(required(body, 'executionArn'));
    return {
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: new Date(r.startDate),
      ...(r.stopDate !== undefined ? { stopDate: new Date(r.stopDate) } : {}),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
      ...(r.versionArn ? { stateMachineVersionArn: r.versionArn } : {}),
      ...(r.aliasArn ? { stateMachineAliasArn: r.aliasArn } : {}),
      redriveCount: 0,
      redriveStatus: r.status === 'RUNNING' || r.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    };
  }

  async stop(body: Record<string, unknown>) {
    const arn = required(body, 'executionArn');
    const record = this.#record(arn);
    const error = optional(body, 'error');
    const cause = optional(body, 'cause');
    if ((error?.length ?? 0) > 256 || (cause?.length ?? 0) > 32_768) {
      throw validation('error is at most 256 characters, cause at most 32768');
    }
    await this.#stop(arn, { error, cause });
    return { stopDate: new Date(record.stopDate ?? this.o.now()) };
  }

  async #stop(arn: string, request: { error?: string; cause?: string }): Promise<void> {
    const record = this.#record(arn);
    if (record.status !== 'RUNNING') return;
    const live = this.#live.get(arn);
    if (!live) {
      // Interrupted by an earlier process: only its end is left to write.
      const events = this.#history(arn);
      const history = new ExecutionHistory(
        { predecessors: new Map(), container: new Map() },
        this.o.now,
        (event) => this.o.journal?.append(historyFile(arn), event),
        events,
      );
      this.#end(record, { status: 'ABORTED' }, history, request);
      return;
    }
    if (!live.stopping) {
      live.stopping = true;
      live.stopRequest = request;
      live.stop.abort();
    }
    await live.done;
  }

  list(body: Record<string, unknown>) {
    const filter = optional(body, 'stateMachineArn');
    const status = optional(body, 'statusFilter');
    if (filter === undefined && body.mapRunArn === undefined) throw validation('stateMachineArn is required');
    const ref = filter === undefined ? null : parseMachineRef(filter);
    if (ref && ref.version === undefined && ref.alias === undefined) this.o.machines.machine(ref.machine);
    const matches = [...this.#records.values()]
      .filter(
        (r) =>
          (!ref ||
            (ref.version !== undefined
              ? r.versionArn === filter
              : ref.alias !== undefined
                ? r.aliasArn === filter
                : r.stateMachineArn === filter)) &&
          (status === undefined || r.status === status),
      )
      .sort((a, b) => b.seq - a.seq);
    const { items, nextToken } = page(matches, body, (r) => String(r.seq));
    return {
      executions: items.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: new Date(r.startDate),
        ...(r.stopDate !== undefined ? { stopDate: new Date(r.stopDate) } : {}),
        ...(r.versionArn ? { stateMachineVersionArn: r.versionArn } : {}),
        ...(r.aliasArn ? { stateMachineAliasArn: r.aliasArn } : {}),
        redriveCount: 0,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  #history(arn: string): StoredEvent[] {
    let events = this.#histories.get(arn);
    if (!events) {
      // A line torn by a killed process is skipped; ids stay as written.
      events = (this.o.journal?.read(historyFile(arn)) ?? []) as StoredEvent[];
      this.#histories.set(arn, events);
      this.#keepRecent(arn);
    }
    return events;
  }

  /** A finished history stays in memory while it is among the last few read or ended. */
  #keepRecent(arn: string): void {
    const at = this.#recent.indexOf(arn);
    if (at >= 0) this.#recent.splice(at, 1);
    this.#recent.push(arn);
    while (this.#recent.length > RECENT_HISTORIES) {
      const old = this.#recent.shift()!;
      if (!this.#live.has(old)) this.#histories.delete(old);
    }
  }

  history(body: Record<string, unknown>) {
    const arn = required(body, 'executionArn');
    this.#record(arn);
    const all = this.#history(arn);
    const reverse = body.reverseOrder === true;
    const withData = body.includeExecutionData !== false;
    const max =
      typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 100;
    // The token is the id of the last event given; events are only ever appended.
    let from = reverse ? all.length - 1 : 0;
    if (typeof body.nextToken === 'string') {
      const after = Number(Buffer.from(body.nextToken, 'base64url').toString());
      if (!Number.isInteger(after) || after < 1 || after > all.length)
        throw new SfnError('InvalidToken', 'Invalid Token');
      from = reverse ? after - 2 : after;
    }
    const slice = reverse
      ? all.slice(Math.max(0, from - max + 1), from + 1).reverse()
      : all.slice(from, from + max);
    const more = reverse ? from - max + 1 > 0 : from + max < all.length;
    return {
      events: slice.map((e) => {
        const shown = withData ? e : withoutData(e);
        return { ...shown, timestamp: new Date(e.timestamp) };
      }),
      ...(more && slice.length > 0
        ? { nextToken: Buffer.from(String(slice[slice.length - 1]!.id)).toString('base64url') }
        : {}),
    };
  }

  interrupted(): InterruptedExecution[] {
    return [...this.#records.values()]
      .filter((r) => r.status === 'RUNNING' && !this.#live.has(r.executionArn))
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        ...(r.versionArn ? { stateMachineVersionArn: r.versionArn } : {}),
        ...(r.aliasArn ? { stateMachineAliasArn: r.aliasArn } : {}),
        name: r.name,
        input: r.input,
        startDate: new Date(r.startDate),
        ...(r.parent ? { parent: r.parent } : {}),
      }));
  }

  /** Stops the engines without writing an end: a later instance on the directory sees them interrupted. */
  async detach(): Promise<void> {
    const lives = [...this.#live.values()];
    for (const live of lives) {
      live.detached = true;
      live.stopping = true;
      live.stop.abort();
    }
    await Promise.all(lives.map((l) => l.done));
    this.#live.clear();
  }
}

type EndFields = Pick<ExecutionRecord, 'status' | 'stopDate' | 'output' | 'error' | 'cause'>;

function endFields(end: Partial<ExecutionRecord>): EndFields {
  const out: EndFields = { status: end.status!, stopDate: end.stopDate! };
  if (end.output !== undefined) out.output = end.output;
  if (end.error !== undefined) out.error = end.error;
  if (end.cause !== undefined) out.cause = end.cause;
  return out;
}

/** DescribeExecution as `.sync:2` gives it to the parent: Input and Output as JSON, dates in ms. */
function describeChild(r: ExecutionRecord): ServiceChildDescription {
  const ok = r.status === 'SUCCEEDED';
  return {
    ...(ok ? {} : { Cause: r.cause ?? '', Error: r.error ?? '' }),
    ExecutionArn: r.executionArn,
    Input: JSON.parse(r.input) as unknown,
    InputDetails: { Included: true },
    Name: r.name,
    ...(ok ? { Output: JSON.parse(r.output ?? 'null') as unknown, OutputDetails: { Included: true } } : {}),
    RedriveCount: 0,
    RedriveStatus: ok ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    ...(ok ? { RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' } : {}),
    StartDate: r.startDate,
    StateMachineArn: r.versionArn ?? r.stateMachineArn,
    Status: r.status === 'RUNNING' ? 'FAILED' : r.status,
    StopDate: r.stopDate ?? r.startDate,
  };
}
