import { stableStringify } from '../serialize.ts';
import type { Target } from '../targets.ts';
import { compileAsl } from './asl.ts';
import { assertWithinLimits } from './limits.ts';
import { aslReport } from './report.ts';
import { aslProblems } from './validate.ts';

/** `--target aws`: `<dag_id>.asl.json`, refused when asl-validator rejects it or it would break a limit. */
export const awsTarget: Target = {
  name: 'aws',
  fileSuffix: '.asl.json',
  emit: (ir) => {
    const { definition } = compileAsl(ir);
    assertWithinLimits(ir, definition);
    const problems = aslProblems(definition);
    if (problems.length > 0)
      throw new Error(`asl-validator rejects the compiled definition:\n  ${problems.join('\n  ')}`);
    return stableStringify(definition);
  },
  report: (ir) => aslReport(ir, compileAsl(ir)),
};
