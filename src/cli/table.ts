import { wrap } from '../local/wrap.ts';

/**
 * A plain-text table for a terminal: columns two spaces apart under a dashed rule, the last column
 * never padded, and no line wider than `width`. When the natural widths do not fit, the widest
 * column shrinks and its cells wrap at spaces (or are cut when one word is longer).
 * `colour` styles a cell after layout, so escape codes never count towards widths.
 */
export interface TableOptions {
  width?: number;
  colour?: (column: number, cell: string) => string;
}

const GAP = '  ';
const MIN_WIDTH = 12;

export function formatTable(columns: string[], rows: string[][], options: TableOptions = {}): string {
  const limit = options.width ?? 100;
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  while (total() > limit) {
    const widest = widths.indexOf(Math.max(...widths));
    const shrunk = Math.max(MIN_WIDTH, widths[widest]! - (total() - limit));
    if (shrunk === widths[widest]) break;
    widths[widest] = shrunk;
  }
  const colour = options.colour ?? ((_: number, cell: string) => cell);
  const render = (cells: string[], styled: boolean): string[] => {
    const wrapped = widths.map((w, i) => wrap(cells[i] ?? '', w));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let k = 0; k < height; k++) {
      const parts = widths.map((w, i) => {
        const text = wrapped[i]![k] ?? '';
        const padded = i === widths.length - 1 ? text : text.padEnd(w);
        return styled && text !== '' ? padded.replace(text, colour(i, text)) : padded;
      });
      lines.push(parts.join(GAP).trimEnd());
    }
    return lines;
  };
  return [
    ...render(columns, false),
    widths.map((w) => '-'.repeat(w)).join(GAP),
    ...rows.flatMap((r) => render(r, true)),
  ].join('\n');
}
