// Swaps a finished build directory in for the old one by two renames, so a reader starting
// meanwhile finds a whole build, never a half-written one.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Moves `tmp` to `out`, replacing what was there. */
export function replaceDir(tmp, out) {
  mkdirSync(dirname(out), { recursive: true });
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}
