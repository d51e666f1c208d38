import type { Command } from 'commander';
import { registerCompile } from './compile.ts';
import { registerEmulators } from './emulators.ts';
import { registerGraph } from './graph.ts';
import { registerRun } from './run.ts';
import { registerSchema } from './schema.ts';
import { registerValidate } from './validate.ts';

/** Every command module registers itself here, one line each. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerCompile(program);
  registerGraph(program);
  registerSchema(program);
  registerRun(program);
  registerEmulators(program);
}
