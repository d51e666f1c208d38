import type { GateStore } from '../../../handlers/gates/gate-store.ts';
import { handleGate } from '../../../handlers/gates/handle-gate.ts';
import type { TaskTokenSender } from '../../../handlers/gates/protocol.ts';
import { handleTask, type HandlerDeps } from '../../../handlers/task.ts';
import type { LambdaFunction } from './lambda-calls.ts';

/** The function ARNs a local registry substitutes for `${TaskHandlerArn}` and `${GateHandlerArn}`. */
export const LOCAL_TASK_HANDLER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:airless-task-handler';
export const LOCAL_GATE_HANDLER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:airless-gate-handler';

export interface AirlessFunctionsOptions {
  /** What the task handler runs against (the emulators, or the environment's endpoints). */
  handlers: HandlerDeps;
  /** Where the gates keep their state (the deployed stack: DynamoDB). */
  gates: GateStore;
  /**
   * How the gate handler wakes parked tasks. Read on each call, so it can be the service's own
   * API (SfnTaskTokens on an SFNClient), which exists only once the service listens.
   */
  tokens: () => TaskTokenSender;
  taskHandlerArn?: string;
  gateHandlerArn?: string;
}

/** The two airless Lambdas as the service's in-process functions: the real task and gate handlers. */
export function airlessFunctions(o: AirlessFunctionsOptions): Record<string, LambdaFunction> {
  return {
    [o.taskHandlerArn ?? LOCAL_TASK_HANDLER_ARN]: (event) => handleTask(event, o.handlers),
    [o.gateHandlerArn ?? LOCAL_GATE_HANDLER_ARN]: (event) =>
      handleGate(event, { store: o.gates, tokens: o.tokens() }),
  };
}
