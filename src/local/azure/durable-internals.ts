import { createRequire } from 'node:module';
import type { Action, HistoryEvent } from './history.ts';

/**
 * Everything the local Durable host takes from durable-functions beyond its public API, in one place.
 * The host drives durable-functions' own replay code (the public `df.app.orchestration` handler fed a
 * history, as the Functions host does over gRPC); two things are not public:
 * - `$OutOfProcData$:`: a failing orchestrator's episode state travels in its error message, as the
 *   out-of-process protocol does (the extension parses the same marker);
 * - `context.df.taskOrchestratorExecutor`: the executor's live replay state, kept between episodes
 *   for incremental replay (the host's `replay: 'incremental'`, like the extension's extended sessions).
 * durable-functions is pinned to PINNED_VERSION; test/azure/durable-internals.test.ts fails loudly
 * when an upgrade changes either, and replayExecutorOf checks the executor's shape at run time.
 */
export const PINNED_VERSION = '3.5.0';

const MARKER = '$OutOfProcData$:';

export interface EpisodeState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/** The episode state a failing orchestrator carried in its error, or null when the error is another one. */
export function episodeStateOfFailure(error: unknown): EpisodeState | null {
  const message = (error as Error | undefined)?.message ?? '';
  const at = message.indexOf(MARKER);
  return at < 0 ? null : (JSON.parse(message.slice(at + MARKER.length)) as EpisodeState);
}

/** The parts of durable-functions' TaskOrchestrationExecutor an incremental episode drives. */
export interface ReplayExecutor {
  _isReplaying: boolean;
  actions: Action[];
  output: unknown;
  exception: Error | undefined;
  context: { customStatus?: unknown };
  processEvent(event: HistoryEvent): void;
  isDoneExecuting(): boolean;
  hasCompletedSuccessfully(): boolean;
}

const METHODS = ['processEvent', 'isDoneExecuting', 'hasCompletedSuccessfully'] as const;

/** The replay executor behind an orchestration context's `df`, checked member by member. */
export function replayExecutorOf(df: unknown): ReplayExecutor {
  const executor = (df as { taskOrchestratorExecutor?: Record<string, unknown> } | undefined)
    ?.taskOrchestratorExecutor;
  const missing: string[] = [];
  if (executor === undefined || executor === null) missing.push('taskOrchestratorExecutor');
  else {
    for (const m of METHODS) if (typeof executor[m] !== 'function') missing.push(m);
    if (!Array.isArray(executor.actions)) missing.push('actions');
    if (typeof executor._isReplaying !== 'boolean') missing.push('_isReplaying');
    if (typeof executor.context !== 'object') missing.push('context');
  }
  if (missing.length > 0) {
    throw new Error(
      `durable-functions ${installedVersion()} changed internals the local Durable host's incremental replay uses ` +
        `(missing: ${missing.join(', ')}); it was written for ${PINNED_VERSION}: use replay 'full' or adapt src/local/azure/durable-internals.ts`,
    );
  }
  return executor as unknown as ReplayExecutor;
}

export function installedVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('durable-functions/package.json') as { version: string }).version;
}
