import middy from '@middy/core';
import { handleGate, type GateResult } from '../../handlers/gates/handle-gate.ts';
import { gateDeps } from './deployment.ts';

/**
 * The Lambda behind the ASL's `${GateHandlerArn}`: a gate's `wait` (invoked with
 * `.waitForTaskToken`; it returns at once and the verdict arrives later by SendTaskSuccess) and a
 * task's `end` report. The DynamoDB and Step Functions clients are created once per container.
 */
export const handler = middy<unknown, GateResult>().handler((event: unknown) =>
  handleGate(event, gateDeps()),
);
