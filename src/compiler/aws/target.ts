import { stableStringify } from '../serialize.ts';
import type { Target } from '../targets.ts';
import { compileAsl } from './asl.ts';
import { assertWithinLimits } from './limits.ts';
import { aslReport } from './report.ts';

/** `--target aws`: `<dag_id>.asl.json`, refused when it would break a Step Functions limit. */
export const awsTarget: Target = {
  name: 'aws',
  fileSuffix: '.asl.json',
  emit: (ir) => {
    const { definition } = compileAsl(ir);
    assertWithinLimits(ir, definition);
    return stableStringify(definition);
  },
  report: (ir) => aslReport(ir, compileAsl(ir)),
};
