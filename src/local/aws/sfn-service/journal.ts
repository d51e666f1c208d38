import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * Append-only JSON-lines files under the service's directory: every change is one line written
 * before the API answers, so a process killed at any point leaves whole lines (and at worst one torn
 * last line, which reading skips and the next append does not extend).
 */
export class Journal {
  readonly #dir: string;
  readonly #checked = new Set<string>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(join(dir, 'history'), { recursive: true });
  }

  append(file: string, record: unknown): void {
    const path = join(this.#dir, file);
    if (!this.#checked.has(path)) {
      this.#checked.add(path);
      // A torn last line from a killed process: start ours on a line of its own.
      if (existsSync(path)) {
        const text = readFileSync(path, 'utf8');
        if (text.length > 0 && !text.endsWith('\n')) appendFileSync(path, '\n');
      }
    }
    appendFileSync(path, `${JSON.stringify(record)}\n`);
  }

  read(file: string): unknown[] {
    const path = join(this.#dir, file);
    if (!existsSync(path)) return [];
    const out: unknown[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // a torn line written by a killed process
      }
    }
    return out;
  }
}

/** The history file of an execution (ARNs hold `:`, which not every file system takes). */
export const historyFile = (executionArn: string): string =>
  join('history', `${createHash('sha256').update(executionArn).digest('hex').slice(0, 40)}.jsonl`);
