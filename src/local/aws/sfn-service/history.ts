import type { EngineEvent } from '../aws-engine.ts';
import type { MachineShape } from './definition.ts';

/** One history event as stored: GetExecutionHistory's shape, the timestamp in epoch ms. */
export interface StoredEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** The field of a HistoryEvent that holds the details of an event type. */
export function detailsField(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

const NO_TRUNCATION = { truncated: false };

/** Details with the execution data (inputs, outputs) left out, as includeExecutionData=false gives them. */
export function withoutData(event: StoredEvent): StoredEvent {
  const field = detailsField(event.type);
  const details = event[field] as Record<string, unknown> | undefined;
  if (!details) return event;
  const { input: _input, output: _output, ...rest } = details;
  return { ...event, [field]: rest };
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/**
 * An execution's history as Step Functions writes it, built from the engine's state events and
 * the task events the service's resources report. `previousEventId` follows causes as on AWS:
 * a task's events chain through its state's visit, a state's entry points at the exit of the
 * state that led to it (or the start of its branch), so concurrent branches chain apart.
 */
export class ExecutionHistory {
  readonly events: StoredEvent[];
  /** The last event of each state's current visit. */
  readonly #last = new Map<string, number>();
  /** The id each state's exit got, latest visit. */
  readonly #exits = new Map<string, number>();

  constructor(
    private readonly shape: MachineShape,
    private readonly now: () => number,
    private readonly persist: (event: StoredEvent) => void,
    events: StoredEvent[] = [],
  ) {
    this.events = events;
  }

  get lastId(): number {
    return this.events.length;
  }

  add(type: string, details: Record<string, unknown> | null, previousEventId: number): number {
    const event: StoredEvent = { timestamp: this.now(), type, id: this.events.length + 1, previousEventId };
    if (details) event[detailsField(type)] = details;
    this.events.push(event);
    this.persist(event);
    return event.id;
  }

  executionStarted(input: string, roleArn: string, qualifiers: Record<string, string>): void {
    this.add('ExecutionStarted', { input, inputDetails: NO_TRUNCATION, roleArn, ...qualifiers }, 0);
  }

  /** A task event of `state`'s current visit (scheduled, started, succeeded, …). */
  task(state: string, type: string, details: Record<string, unknown> | null): number {
    const id = this.add(type, details, this.#last.get(state) ?? this.lastId);
    this.#last.set(state, id);
    return id;
  }

  engine(event: EngineEvent): void {
    const state = event.state;
    if (!state) return;
    const key = state.name;
    switch (event.type) {
      case 'StateEntered': {
        const entered = this.add(
          `${state.type}StateEntered`,
          { name: state.name, input: json(state.input), inputDetails: NO_TRUNCATION },
          this.#cause(state.name),
        );
        this.#last.set(key, entered);
        if (state.type === 'Parallel') this.#last.set(key, this.add('ParallelStateStarted', null, entered));
        if (state.type === 'Map') {
          const length = Array.isArray(state.input) ? state.input.length : 0;
          this.#last.set(key, this.add('MapStateStarted', { length }, entered));
        }
        return;
      }
      case 'StateExited': {
        let previous = this.#last.get(key) ?? this.lastId;
        if (state.type === 'Parallel' || state.type === 'Map') {
          previous = this.add(`${state.type}StateSucceeded`, null, this.#branchEnd(state.name, previous));
        }
        const exited = this.add(
          `${state.type}StateExited`,
          { name: state.name, output: json(state.output), outputDetails: NO_TRUNCATION },
          previous,
        );
        this.#exits.set(key, exited);
        this.#last.delete(key);
        return;
      }
      case 'StateFailed':
      case 'StateCaught':
        if (state.type === 'Parallel' || state.type === 'Map') {
          const previous = this.#last.get(key) ?? this.lastId;
          this.#last.set(
            key,
            this.add(`${state.type}StateFailed`, null, this.#branchEnd(state.name, previous)),
          );
        }
        return;
      default:
        return;
    }
  }

  /** What led into `state`: the latest exit of a state that can go to it, else its branch's start. */
  #cause(state: string): number {
    let best = 0;
    for (const from of this.shape.predecessors.get(state) ?? []) {
      const exit = this.#exits.get(from) ?? 0;
      if (exit > best) best = exit;
    }
    if (best > 0) return best;
    const container = this.shape.container.get(state);
    if (container) return this.#last.get(container) ?? this.lastId;
    return this.events.length > 0 ? 1 : 0;
  }

  /** The latest event of a Parallel or Map state's branches, else `fallback`. */
  #branchEnd(container: string, fallback: number): number {
    let best = fallback;
    for (const [state, inside] of this.shape.container) {
      if (inside !== container) continue;
      const exit = this.#exits.get(state) ?? 0;
      if (exit > best) best = exit;
    }
    return best;
  }
}
