import type { AslDefinition } from '../compiler/aws/asl-types.ts';
import { RUN_OUTCOME_STATE } from '../compiler/aws/asl-types.ts';
import type { FinalTaskState } from '../compiler/ir.ts';
import type { RunContext } from '../handlers/contract.ts';
import type { AslRunResult, EngineEvent, Resource } from './aws-engine.ts';
import { runAsl } from './aws-engine.ts';

/** A task's record in the workflow state, as the compiled ASL writes it. */
export interface TaskRecord {
  state: FinalTaskState;
  error?: string;
  output?: Record<string, unknown>;
}

/**
 * Runs a compiled DAG once with the given resources (the simulator, or real handlers) and returns
 * the engine's result with every task's final record, read from the workflow state as it enters the
 * outcome Choice (the Fail state that ends a failed run keeps no output).
 */
export async function runCompiledDag(
  definition: AslDefinition,
  run: RunContext,
  resources: Record<string, Resource>,
  onEvent?: (event: EngineEvent) => void,
): Promise<{ result: AslRunResult; records: Record<string, TaskRecord> }> {
  let records: Record<string, TaskRecord> | null = null;
  const result = await runAsl(
    definition,
    { run },
    {
      resources,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.state?.name === RUN_OUTCOME_STATE) {
          records = (event.state.input as { tasks: Record<string, TaskRecord> }).tasks;
        }
        onEvent?.(event);
      },
    },
  );
  if (records === null) {
    throw new Error(
      `the run ended without reaching ${RUN_OUTCOME_STATE}: ${result.error ?? ''} ${result.cause ?? ''}`,
    );
  }
  return { result, records };
}
