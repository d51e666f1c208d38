import { parseSeed, type EmulatorSeed } from '../local/emulators/seed.ts';
import { readJsonArgument } from './json-argument.ts';
import { UsageError } from './usage.ts';

/** `--seed <json|file>`: what the emulators hold before anything runs (see src/local/emulators/seed.ts). */
export async function readSeed(value: string | undefined): Promise<EmulatorSeed | undefined> {
  if (value === undefined) return undefined;
  const parsed = parseSeed(await readJsonArgument('--seed', value));
  if ('errors' in parsed) throw new UsageError(`--seed: ${parsed.errors.join('; ')}`);
  return parsed.seed;
}
