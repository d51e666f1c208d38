import type { AslDefinition } from '../compiler/aws/asl-types.ts';
import { RUN_OUTCOME_STATE } from '../compiler/aws/asl-types.ts';
import type { FinalTaskState } from '../compiler/ir.ts';
import type { RunContext } from '../handlers/contract.ts';
import type { AslRunResult, EngineEvent, Resource, RunAslOptions } from './aws-engine.ts';
import { runAsl } from './aws-engine.ts';

/** What the compiled ASL recorded of the tasks: final states, error names, outputs templates read. */
export interface TaskRecords {
  tasks: Record<string, FinalTaskState>;
  errors: Record<string, string>;
  outputs: Record<string, Record<string, unknown>>;
}

/**
 * Runs a compiled DAG once with the given resources (the simulator, or real handlers) and returns
 * the engine's result with what it recorded of the tasks, read from the workflow state as it enters the
 * outcome Choice (the Fail state that ends a failed run keeps no output).
 */
export async function runCompiledDag(
  definition: AslDefinition,
  run: RunContext,
  resources: Record<string, Resource>,
  onEvent?: (event: EngineEvent) => void,
  delays: RunAslOptions['delays'] = 'instant',
): Promise<{ result: AslRunResult; records: TaskRecords }> {
  let records: TaskRecords | null = null;
  const result = await runAsl(
    definition,
    { run },
    {
      resources,
      delays,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.state?.name === RUN_OUTCOME_STATE) {
          const { tasks, errors, outputs } = event.state.input as TaskRecords;
          records = { tasks, errors, outputs };
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
