import aslValidator from 'asl-validator';
import type { AslDefinition } from './asl-types.ts';
import { GATE_HANDLER_RESOURCE, TASK_HANDLER_RESOURCE } from './asl-types.ts';

/** A syntactically valid Lambda ARN standing in for the `${TaskHandlerArn}` substitution. */
export const EXAMPLE_HANDLER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:airless-task';
export const EXAMPLE_GATE_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:airless-gate';
export const exampleChildArn = (substitution: string): string =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:airless-${substitution}`;

/**
 * Checks a compiled definition with asl-validator, paths and ARNs included, after substituting the
 * handler ARN as deployment would. Returns the problems, empty when valid. (asl-validator mutates its
 * input, so it gets a copy.)
 */
export function aslProblems(definition: AslDefinition): string[] {
  const text = JSON.stringify(definition)
    .replaceAll(JSON.stringify(TASK_HANDLER_RESOURCE), JSON.stringify(EXAMPLE_HANDLER_ARN))
    .replaceAll(JSON.stringify(GATE_HANDLER_RESOURCE), JSON.stringify(EXAMPLE_GATE_ARN))
    .replaceAll(/"\$\{(Child_\d+)\}"/g, (_, name: string) => JSON.stringify(exampleChildArn(name)));
  const result = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : result.errorsText('\n').split('\n');
}
