import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `airless <argv>` in this process, capturing what it prints. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = (chunk: unknown): boolean => ((stdout += String(chunk)), true);
  const err = (chunk: unknown): boolean => ((stderr += String(chunk)), true);
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(out),
    vi.spyOn(process.stderr, 'write').mockImplementation(err),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out(`${a.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err(`${a.join(' ')}\n`)),
  ];
  try {
    process.exitCode = undefined;
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = undefined;
    for (const spy of spies) spy.mockRestore();
  }
}
