import { readFile } from 'node:fs/promises';
import { UsageError } from './usage.ts';

const MAX_BYTES = 1024 * 1024;

/**
 * An option that takes JSON inline or a file holding it (`--conf`, `--seed`): the value is JSON
 * when it parses as JSON or starts like an object, array or string, so `[1,2]` is never taken
 * for a file name; anything else is a file name.
 */
export async function readJsonArgument(option: string, value: string): Promise<unknown> {
  let text = value;
  if (!/^\s*[[{"]/.test(value) && !parses(value)) {
    try {
      text = await readFile(value, 'utf8');
    } catch (error) {
      throw new UsageError(
        `${option}: cannot read ${value}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  if (text.length > MAX_BYTES) throw new UsageError(`${option}: larger than ${MAX_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${option}: not JSON: ${error instanceof Error ? error.message : error}`);
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
