import { awsTarget } from './aws/target.ts';
import { planTarget } from './plan-target.ts';
import type { Target } from './target.ts';

/** Every registered target, one line each; `--target all` compiles to all of them. */
// prettier-ignore
export const TARGETS: readonly Target[] = [
  planTarget,
  awsTarget,
];
