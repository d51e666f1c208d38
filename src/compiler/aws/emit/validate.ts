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
  const result = aslValidator(JSON.parse(literalsForValidator(text)), { checkPaths: true, checkArn: true });
  if (result.isValid) return [];
  // asl-validator counts field names in a plain object, so `toString.$` or `constructor` (task ids)
  // count as duplicates of Object.prototype's members: its check is replaced by the same rule on a Set.
  return [
    ...result
      .errorsText('\n')
      .split('\n')
      .filter((line) => !line.startsWith(`${DUPLICATE_FIELD}:`)),
    ...duplicateFields(definition),
  ];
}

/**
 * asl-validator reads every string inside an array of a payload template as "not JSONata" with the
 * pattern `^(?!\{% )(.+)(?! %\})$`, whose `.+` matches no empty string and no line terminator: a
 * DAG's `command_arguments: ["SELECT 1\nFROM t", ""]` is valid ASL that it refuses. Only for its
 * copy, each empty string becomes " " and each line terminator a space.
 */
function literalsForValidator(json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"/g, (token) =>
    token === '""'
      ? '" "'
      : token.replace(/\\(?:u[0-9a-fA-F]{4}|.)|[\u2028\u2029]/g, (m) =>
          m === '\\n' || m === '\\r' || m === '\u2028' || m === '\u2029' || /^\\u202[89]$/i.test(m) ? ' ' : m,
        ),
  );
}

const DUPLICATE_FIELD = 'DUPLICATE_FIELD_NAME';

/** ASL: no object under Parameters or ResultSelector may hold two names equal once `.$` is stripped. */
function duplicateFields(definition: AslDefinition): string[] {
  const problems: string[] = [];
  const inspect = (value: unknown, inPayload: boolean): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) inspect(item, inPayload);
      return;
    }
    const seen = new Set<string>();
    for (const [key, child] of Object.entries(value)) {
      if (inPayload) {
        const name = key.endsWith('.$') ? key.slice(0, -2) : key;
        if (seen.has(name)) problems.push(`${DUPLICATE_FIELD}: '${name}' twice once '.$' is stripped`);
        seen.add(name);
      }
      inspect(child, inPayload || key === 'Parameters' || key === 'ResultSelector');
    }
  };
  inspect(definition, false);
  return problems;
}
