import { closest, distance } from 'fastest-levenshtein';

/** One problem in a DAG file, at the line and column (1-based) of the node it is about. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  /** Path of the offending node in the document, e.g. ['tasks', 'report', 'depends_on', 0]. */
  path: Array<string | number>;
}

/** `file:line:col: error: message`, the form compilers and editors understand. */
export const formatDiagnostic = (d: Diagnostic): string =>
  `${d.file}:${d.line}:${d.col}: error: ${d.message}`;

/** By position, then message; identical diagnostics collapse into one. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...diagnostics]
    .sort(
      (a, b) =>
        a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    )
    .filter((d) => {
      const key = formatDiagnostic(d);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** "; did you mean 'x'?" when one candidate is close enough to be a likely typo, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0 || word.length === 0) return '';
  const best = closest(word, candidates as string[]);
  const lower = candidates.find((c) => c.toLowerCase() === word.toLowerCase());
  if (lower !== undefined) return `; did you mean '${lower}'?`;
  const d = distance(word, best);
  return d < word.length && d <= Math.max(2, Math.floor(best.length / 3)) ? `; did you mean '${best}'?` : '';
}

/**
 * did-you-mean over a long list (task ids), with a bound on the total work so that a file with
 * thousands of typos stays fast: past the budget, messages simply carry no suggestion.
 */
export class Suggester {
  private work = 0;

  constructor(
    private readonly candidates: readonly string[],
    private readonly budget = 2_000_000,
  ) {}

  hint(word: string): string {
    if (this.work > this.budget) return '';
    this.work += this.candidates.length;
    return didYouMean(word, this.candidates);
  }
}

/** "'a', 'b' or 'c'" for messages that list what is allowed. */
export const oneOf = (values: readonly string[]): string =>
  values.length <= 1
    ? values.map((v) => `'${v}'`).join('')
    : `${values
        .slice(0, -1)
        .map((v) => `'${v}'`)
        .join(', ')} or '${values.at(-1)}'`;
