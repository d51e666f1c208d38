import { stableStringify } from '../serialize.ts';
import type { Target } from '../target.ts';
import { compileAsl, minifiedAsl } from './emit/asl.ts';
import type { AslDefinition } from './emit/asl-types.ts';
import { assertWithinLimits } from './limits/limits.ts';
import { aslReport } from './limits/report.ts';
import { aslProblems } from './emit/validate.ts';

/**
 * `--target aws`: `<dag_id>.asl.json`, refused when it would break a limit and, with `validate`,
 * when asl-validator rejects it. asl-validator checks our own output and costs about 0.6 s per MB
 * of definition, so it runs on demand (`airless compile --validate`, CI, registerDag) and in the
 * tests of every golden, example and generated DAG, not in every compile. A DAG split into child state machines (asl.ts, compileSplit) is written as one bundle,
 * `{ "definition": <parent ASL>, "children": { "Child_<n>": <child ASL> } }`: the parent's
 * `${Child_<n>}` substitutions name the children's ARNs.
 */
export const awsTarget: Target = {
  name: 'aws',
  fileSuffix: '.asl.json',
  emit: (ir, options) => {
    const { definition, children, structure } = compileAsl(ir);
    const names = Object.keys(children);
    if (names.length === 0) {
      assertWithinLimits(ir, definition, children, structure);
      if (options?.validate) assertValid(definition, children);
      return stableStringify(definition);
    }
    // A split DAG has over 1 MB of ASL by construction: its bundle is written minified, as
    // deployment sends each machine, in the order the compiler builds it (deterministic too).
    const texts = [definition, ...names.map((n) => children[n]!)].map(minifiedAsl);
    assertWithinLimits(
      ir,
      definition,
      children,
      structure,
      texts.map((t) => Buffer.byteLength(t)),
    );
    if (options?.validate) assertValid(definition, children);
    const bundle = names.map((n, i) => `${JSON.stringify(n)}:${texts[i + 1]}`).join(',');
    return `{"definition":${texts[0]},"children":{${bundle}}}\n`;
  },
  report: (ir) => aslReport(ir, compileAsl(ir)),
};

function assertValid(definition: AslDefinition, children: Record<string, AslDefinition>): void {
  for (const [name, machine] of [['parent', definition] as const, ...Object.entries(children)]) {
    const problems = aslProblems(machine);
    if (problems.length > 0)
      throw new Error(`asl-validator rejects the compiled ${name}:\n  ${problems.join('\n  ')}`);
  }
}
