import type { Resource } from '../aws/aws-engine.ts';
import type { CompiledMachines } from '../aws/aws-run.ts';
import { runCompiledDag } from '../aws/aws-run.ts';
import type { EngineEvent } from '../aws/aws-engine.ts';
import type { ExecutionInput } from '../../aws/execution-input.ts';
import type { RunContext } from '../../handlers/contract.ts';
import { InstantGates } from './instant-gates.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * Runs a compiled DAG on a virtual clock: the given resources sleep on `clock` (the simulator, or
 * real handlers whose polls and retries wait their compiled delays), the gates' calls of one
 * instant are batched (instant-gates.ts), and a run that can no longer move fails instead of hanging.
 */
export async function runOnClock(
  compiled: CompiledMachines,
  run: RunContext,
  resources: Record<string, Resource>,
  clock: VirtualClock,
  onEvent?: (event: EngineEvent) => void,
  resume?: ExecutionInput['resume'],
): ReturnType<typeof runCompiledDag> {
  let stalled: (message: string) => void = () => {};
  const stall = new Promise<never>((_, reject) => (stalled = (m) => reject(new Error(m))));
  clock.watch((message) => stalled(message));
  try {
    return await Promise.race([
      runCompiledDag(compiled, run, resources, {
        onEvent,
        resume,
        gates: (core, store) => {
          const instant = new InstantGates(core, store, () => clock.poke());
          clock.beforeAdvance(() => instant.drain());
          return instant.resource;
        },
      }),
      stall,
    ]);
  } finally {
    clock.unwatch();
  }
}
