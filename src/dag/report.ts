import type { Diagnostic } from './diagnostics.ts';
import { locate, locateWithin } from './parse.ts';
import type { ParsedFile, Path } from './parse.ts';

/** Collects diagnostics for one file, each placed at the node its path names. */
export class Report {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly parsed: ParsedFile) {}

  /** A problem with the node at `path` (with `key`, with the map key that names it). */
  at(path: Path, message: string, options: { key?: boolean } = {}): void {
    this.push(path, message, locate(this.parsed, path, options));
  }

  /** A problem with `needle`, a piece of the string at `path` (a template) found near `index` in it. */
  within(path: Path, needle: string, message: string, index = 0): void {
    this.push(path, message, locateWithin(this.parsed, path, needle, index));
  }

  private push(path: Path, message: string, where: { line: number; col: number }): void {
    this.diagnostics.push({
      file: this.parsed.file,
      line: where.line,
      col: where.col,
      message,
      path: [...path],
    });
  }
}

/** `tasks.submit.depends_on[0]`: how messages name a place in the document. */
export function label(path: Path): string {
  let out = '';
  for (const segment of path)
    out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out;
}

/** `label: message`, or the message alone at the document's root. */
export const labelled = (path: Path, message: string): string =>
  path.length ? `${label(path)}: ${message}` : message;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The value at `path` inside plain data, or undefined. */
export function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = current[String(segment)];
    } else return undefined;
  }
  return current;
}
