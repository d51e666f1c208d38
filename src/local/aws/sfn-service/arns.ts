import { SfnError } from './errors.ts';

/** Where the service's ARNs live: `arn:aws:states:<region>:<account>:…`. */
export interface ArnScope {
  region: string;
  account: string;
}

export const DEFAULT_SCOPE: ArnScope = { region: 'us-east-1', account: '000000000000' };

export const machineArn = (scope: ArnScope, name: string): string =>
  `arn:aws:states:${scope.region}:${scope.account}:stateMachine:${name}`;

export const executionArnOf = (scope: ArnScope, machine: string, name: string): string =>
  `arn:aws:states:${scope.region}:${scope.account}:execution:${machine}:${name}`;

const MACHINE_REF = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)(?::([^:]+))?$/;
const EXECUTION_REF = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

/** A state machine, version (`:<n>`) or alias (`:<name>`) ARN. */
export interface MachineRef {
  /** The unqualified state machine ARN. */
  machine: string;
  name: string;
  version?: number;
  alias?: string;
}

export function parseMachineRef(arn: string): MachineRef {
  const m = MACHINE_REF.exec(arn);
  if (!m) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  const machine = arn.slice(0, arn.length - (m[4] === undefined ? 0 : m[4].length + 1));
  if (m[4] === undefined) return { machine, name: m[3]! };
  return /^[1-9]\d{0,9}$/.test(m[4])
    ? { machine, name: m[3]!, version: Number(m[4]) }
    : { machine, name: m[3]!, alias: m[4] };
}

export function checkExecutionArn(arn: string): void {
  if (!EXECUTION_REF.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
}

/** Names of state machines, aliases and executions, as Step Functions accepts them. */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
/** Control characters are refused too (U+0000-U+001F, U+007F-U+009F). */
const hasControl = (name: string): boolean =>
  [...name].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));

export function checkName(name: string, what: string): void {
  if (!NAME.test(name) || hasControl(name))
    throw new SfnError('InvalidName', `Invalid ${what} name: '${name}'`);
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`: the function's name, or null. */
export function lambdaFunctionName(arn: string): string | null {
  const m = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/.exec(
    arn,
  );
  return m ? m[1]! : null;
}
