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

/** By position, then message; identical diagnostics (adjacent once sorted) collapse into one. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
  );
  return sorted.filter(
    (d, i) =>
      i === 0 ||
      d.line !== sorted[i - 1]!.line ||
      d.col !== sorted[i - 1]!.col ||
      d.message !== sorted[i - 1]!.message ||
      d.file !== sorted[i - 1]!.file,
  );
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
 * did-you-mean over a long list (task ids, params), with a bound on the total work so that a file
 * with thousands of typos stays near-linear: each hint costs about the characters it compares, and
 * past the budget messages simply carry no suggestion. A case-only difference is always found, and a
 * word asked again gets the same answer for free.
 */
export class Suggester {
  private work = 0;
  private readonly lower = new Map<string, string>();
  private readonly answers = new Map<string, string>();
  private readonly size: number;

  constructor(
    private readonly candidates: readonly string[],
    private readonly budget = 3_000_000,
  ) {
    let size = 0;
    for (const c of candidates) {
      size += c.length;
      if (!this.lower.has(c.toLowerCase())) this.lower.set(c.toLowerCase(), c);
    }
    this.size = size;
  }

  hint(word: string): string {
    if (word.length === 0 || this.candidates.length === 0) return '';
    const sameLetters = this.lower.get(word.toLowerCase());
    if (sameLetters !== undefined && sameLetters !== word) return `; did you mean '${sameLetters}'?`;
    const known = this.answers.get(word);
    if (known !== undefined) return known;
    const cost = this.size * Math.ceil(word.length / 32);
    if (this.work + cost > this.budget) return '';
    this.work += cost;
    const answer = didYouMean(word, this.candidates);
    this.answers.set(word, answer);
    return answer;
  }
}

/** The first `limit` diagnostics (sorted) and, when more were found, one line counting the rest. */
export function capDiagnostics(diagnostics: Diagnostic[], limit = MAX_DIAGNOSTICS): Diagnostic[] {
  if (diagnostics.length <= limit) return diagnostics;
  const next = diagnostics[limit]!;
  return [
    ...diagnostics.slice(0, limit),
    { ...next, path: [], message: `... and ${diagnostics.length - limit} more` },
  ];
}

/** Diagnostics one file reports at most (the rest are counted). */
export const MAX_DIAGNOSTICS = 100;

/** "'a', 'b' or 'c'" for messages that list what is allowed. */
export const oneOf = (values: readonly string[]): string =>
  values.length <= 1
    ? values.map((v) => `'${v}'`).join('')
    : `${values
        .slice(0, -1)
        .map((v) => `'${v}'`)
        .join(', ')} or '${values.at(-1)}'`;
