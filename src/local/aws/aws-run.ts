import type { AslDefinition } from '../../compiler/aws/asl-types.ts';
import { GATE_HANDLER, RUN_OUTCOME_STATE } from '../../compiler/aws/asl-types.ts';
import type { FinalTaskState } from '../../compiler/ir.ts';
import type { ExecutionInput } from '../../aws/execution-input.ts';
import type { RunContext } from '../../handlers/contract.ts';
import type { GateStore } from '../../handlers/gates/gate-store.ts';
import { handleGate } from '../../handlers/gates/handle-gate.ts';
import type { AslRunResult, EngineEvent, Resource, RunAslOptions } from './aws-engine.ts';
import { runAsl } from './aws-engine.ts';
import { MemoryGateStore } from './memory-gate-store.ts';
import { LocalTaskTokens } from './task-tokens.ts';

/** What the compiled ASL recorded of the tasks: final states, error names, outputs templates read. */
export interface TaskRecords {
  tasks: Record<string, FinalTaskState>;
  errors: Record<string, string>;
  outputs: Record<string, Record<string, unknown>>;
}

/** A compiled DAG: its state machine and, for a large DAG, the child machines it starts. */
export interface CompiledMachines {
  definition: AslDefinition;
  children: Record<string, AslDefinition>;
}

/**
 * Runs a compiled DAG once with the given resources (the simulator, or real handlers) and returns
 * the engine's result with what it recorded of the tasks, read from the workflow state as it enters the
 * outcome Choice (the Fail state that ends a failed run keeps no output). The gates run the real
 * gate core (src/handlers/gates) on an in-memory store, woken through the engine's task tokens.
 */
export async function runCompiledDag(
  compiled: CompiledMachines,
  run: RunContext,
  resources: Record<string, Resource>,
  options: {
    onEvent?: (event: EngineEvent) => void;
    /** Real Retry and Wait delays (against real endpoints), or none (a virtual clock keeps time). */
    delays?: RunAslOptions['delays'];
    /**
     * Builds the gate resource from the gate core over a store (the simulation wraps both to batch
     * the calls of one virtual instant); by default the core on the in-memory store.
     */
    gates?: (core: (store: GateStore) => Resource, store: GateStore) => Resource;
    /** A re-run's resume, as src/aws/execution-input.ts normalises it. */
    resume?: ExecutionInput['resume'];
  } = {},
): Promise<{ result: AslRunResult; records: TaskRecords }> {
  let records: TaskRecords | null = null;
  const fromChildren: TaskRecords = { tasks: {}, errors: {}, outputs: {} };
  const tokens = new LocalTaskTokens();
  const store = new MemoryGateStore();
  const gates = options.gates ?? ((core: (store: GateStore) => Resource, over: GateStore) => core(over));
  const gate = gates((over) => (payload) => handleGate(payload, { store: over, tokens }), store);
  const result = await runAsl(
    compiled.definition,
    options.resume === undefined ? { run } : { run, resume: options.resume },
    {
      resources: { [GATE_HANDLER]: gate, ...resources },
      tokens,
      children: compiled.children,
      delays: options.delays ?? 'instant',
      onEvent: (event) => {
        // A split DAG's parent keeps only the leaves: every other record comes from its children.
        if (event.execution !== undefined && event.type === 'StateExited') {
          const out = event.state?.output as Partial<TaskRecords> | undefined;
          if (out?.tasks) Object.assign(fromChildren.tasks, out.tasks);
          if (out?.errors) Object.assign(fromChildren.errors, out.errors);
          if (out?.outputs) Object.assign(fromChildren.outputs, out.outputs);
        }
        if (
          event.type === 'StateEntered' &&
          event.state?.name === RUN_OUTCOME_STATE &&
          event.execution === undefined
        ) {
          const { tasks, errors, outputs } = event.state.input as TaskRecords;
          records = {
            tasks: { ...fromChildren.tasks, ...tasks },
            errors: { ...fromChildren.errors, ...errors },
            outputs: { ...fromChildren.outputs, ...outputs },
          };
        }
        options.onEvent?.(event);
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
