import { stableStringify } from '../serialize.ts';
import type { Target } from '../target.ts';
import { compileAsl } from './asl.ts';
import { assertWithinLimits } from './limits.ts';
import { aslReport } from './report.ts';
import { aslProblems } from './validate.ts';

/**
 * `--target aws`: `<dag_id>.asl.json`, refused when asl-validator rejects it or it would break a
 * limit. A DAG split into child state machines (asl.ts, compileSplit) is written as one bundle,
 * `{ "definition": <parent ASL>, "children": { "Child_<n>": <child ASL> } }`: the parent's
 * `${Child_<n>}` substitutions name the children's ARNs.
 */
export const awsTarget: Target = {
  name: 'aws',
  fileSuffix: '.asl.json',
  emit: (ir) => {
    const { definition, children, structure } = compileAsl(ir);
    assertWithinLimits(ir, definition, children, structure);
    for (const [name, machine] of [['parent', definition] as const, ...Object.entries(children)]) {
      const problems = aslProblems(machine);
      if (problems.length > 0)
        throw new Error(`asl-validator rejects the compiled ${name}:\n  ${problems.join('\n  ')}`);
    }
    return stableStringify(Object.keys(children).length === 0 ? definition : { definition, children });
  },
  report: (ir) => aslReport(ir, compileAsl(ir)),
};
