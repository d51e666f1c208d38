import { randomUUID } from 'node:crypto';
import type { ArnScope } from './arns.ts';
import type { ExecutionRecord } from './executions.ts';

/** EventBridge's "Step Functions Execution Status Change" event, as the deployed stack receives it. */
export interface StatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionRecord['status'];
    /** Epoch milliseconds, as EventBridge gives them. */
    startDate: number;
    stopDate: number | null;
    input: string;
    inputDetails: { included: true };
    output: string | null;
    outputDetails: { included: true } | null;
    error: string | null;
    cause: string | null;
    stateMachineVersionArn?: string;
    stateMachineAliasArn?: string;
    redriveCount: 0;
    redriveDate: null;
    redriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE';
    redriveStatusReason: string | null;
  };
}

export function statusChangeEvent(scope: ArnScope, record: ExecutionRecord, now: number): StatusChangeEvent {
  const ended = record.status !== 'RUNNING';
  const redrivable = ended && record.status !== 'SUCCEEDED';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: scope.account,
    time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: scope.region,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      stopDate: record.stopDate ?? null,
      input: record.input,
      inputDetails: { included: true },
      output: record.output ?? null,
      outputDetails: record.output === undefined ? null : { included: true },
      error: record.error ?? null,
      cause: record.cause ?? null,
      ...(record.versionArn ? { stateMachineVersionArn: record.versionArn } : {}),
      ...(record.aliasArn ? { stateMachineAliasArn: record.aliasArn } : {}),
      redriveCount: 0,
      redriveDate: null,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: ended && !redrivable ? 'Execution is SUCCEEDED and cannot be redriven' : null,
    },
  };
}
