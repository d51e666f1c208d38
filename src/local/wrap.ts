/** Splits text into lines of at most `width` characters, at spaces where it can, else after a hyphen. */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const hyphen = rest.lastIndexOf('-', width - 1);
    const cut = space > 0 ? space : hyphen > 0 ? hyphen + 1 : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') lines.push(rest);
  return lines;
}
