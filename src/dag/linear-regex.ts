/**
 * Param `pattern`s (JSON Schema: ECMAScript syntax, unanchored search) matched in time linear in
 * the input: a Pike VM over a Thompson NFA, never backtracking. Backreferences and lookaround need
 * backtracking and are refused; so is a repetition of an unbounded repetition, as in `^(a+)+$`,
 * which other engines (editors, other validators) would backtrack on. A character class (or
 * `\p{...}`) is delegated to a native RegExp over a single code point, which is linear too.
 */

type Instruction =
  | { op: 'char'; test: (c: string) => boolean }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { op: 'match' };

export interface LinearRegex {
  source: string;
  test(input: string): boolean;
}

export type CompiledPattern = { ok: true; regex: LinearRegex } | { ok: false; message: string };

/** Upper bound on the program a pattern compiles to (counted repetitions copy their operand). */
export const MAX_PROGRAM = 4000;

type Node =
  | { t: 'char'; test: (c: string) => boolean }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number };

class Refused extends Error {}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const single = (source: string): ((c: string) => boolean) => {
  const re = new RegExp(`^${source}$`, 'u');
  return (c) => re.test(c);
};
const isWordChar = (c: string | undefined): boolean => c !== undefined && /^\w$/u.test(c);

/** Compiles `source`, or says why it cannot be a param pattern. */
export function compilePattern(source: string): CompiledPattern {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return { ok: false, message: `is not a valid regular expression (${(error as Error).message})` };
  }
  try {
    const parser = new Parser(source);
    const node = parser.parseAlternation();
    if (parser.at < source.length) throw new Refused(`unexpected '${source[parser.at]}'`);
    const program: Instruction[] = [];
    emit(node, program);
    program.push({ op: 'match' });
    return { ok: true, regex: { source, test: (input) => run(program, input) } };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, message: error.message };
    throw error;
  }
}

class Parser {
  at = 0;
  constructor(private readonly s: string) {}

  parseAlternation(): Node {
    const options = [this.parseSequence()];
    while (this.s[this.at] === '|') {
      this.at++;
      options.push(this.parseSequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private parseSequence(): Node {
    const items: Node[] = [];
    while (this.at < this.s.length && this.s[this.at] !== '|' && this.s[this.at] !== ')') {
      items.push(this.parseQuantified(this.parseAtom()));
    }
    return { t: 'seq', items };
  }

  private parseQuantified(node: Node): Node {
    const c = this.s[this.at];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.at));
      if (!m) return node;
      this.at += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return node;
    if (this.s[this.at] === '?') this.at++; // lazy: the same language
    if (node.t === 'assert') throw new Refused('a quantifier needs something to repeat');
    if (max > 1 && hasUnboundedRepeat(node)) {
      // Harmless here, but a backtracking engine (an editor's, another validator's) would hang on it.
      throw new Refused(
        'repeats a group that itself repeats without bound, as in (a+)+: it can match the same text in exponentially many ways; write it without the nesting (a+)',
      );
    }
    return { t: 'repeat', node, min, max };
  }

  private parseAtom(): Node {
    const s = this.s;
    const c = s[this.at]!;
    if (c === '(') {
      this.at++;
      if (
        s.startsWith('?=', this.at) ||
        s.startsWith('?!', this.at) ||
        s.startsWith('?<=', this.at) ||
        s.startsWith('?<!', this.at)
      )
        throw new Refused('lookahead and lookbehind are not supported (patterns are matched in linear time)');
      if (s.startsWith('?:', this.at)) this.at += 2;
      else if (s[this.at] === '?' && s[this.at + 1] === '<') this.at = s.indexOf('>', this.at) + 1;
      const inner = this.parseAlternation();
      this.at++; // ')'
      return inner;
    }
    if (c === '^' || c === '$') {
      this.at++;
      return { t: 'assert', kind: c };
    }
    if (c === '.') {
      this.at++;
      return { t: 'char', test: (ch) => !LINE_TERMINATOR.test(ch) };
    }
    if (c === '[') {
      let end = this.at + 1;
      if (s[end] === '^') end++;
      if (s[end] === ']') end++;
      while (s[end] !== ']') end += s[end] === '\\' ? 2 : 1;
      const cls = s.slice(this.at, end + 1);
      this.at = end + 1;
      return { t: 'char', test: single(cls) };
    }
    if (c === '\\') return this.parseEscape();
    const cp = s.codePointAt(this.at)!;
    const ch = String.fromCodePoint(cp);
    this.at += ch.length;
    return { t: 'char', test: (x) => x === ch };
  }

  private parseEscape(): Node {
    const s = this.s;
    const next = s[this.at + 1]!;
    if (next === 'b' || next === 'B') {
      this.at += 2;
      return { t: 'assert', kind: next };
    }
    if (/[1-9]/.test(next) || next === 'k')
      throw new Refused('backreferences are not supported (patterns are matched in linear time)');
    // Any other escape is one character (or class) the native engine reads on its own.
    const m =
      /^\\(?:[pP]\{[^}]*\}|u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|c[A-Za-z]|0|[\s\S])/u.exec(
        s.slice(this.at),
      )!;
    this.at += m[0].length;
    return { t: 'char', test: single(m[0]) };
  }
}

function hasUnboundedRepeat(node: Node): boolean {
  switch (node.t) {
    case 'repeat':
      return node.max === Infinity || hasUnboundedRepeat(node.node);
    case 'seq':
      return node.items.some(hasUnboundedRepeat);
    case 'alt':
      return node.options.some(hasUnboundedRepeat);
    default:
      return false;
  }
}

function emit(node: Node, program: Instruction[]): void {
  if (program.length > MAX_PROGRAM) {
    throw new Refused(`is too large once its repetitions are counted (at most ${MAX_PROGRAM} steps)`);
  }
  switch (node.t) {
    case 'char':
      program.push({ op: 'char', test: node.test });
      return;
    case 'assert':
      program.push({ op: 'assert', kind: node.kind });
      return;
    case 'seq':
      for (const item of node.items) emit(item, program);
      return;
    case 'alt': {
      const jumps: Array<{ op: 'jmp'; x: number }> = [];
      node.options.forEach((option, i) => {
        if (i < node.options.length - 1) {
          const split = { op: 'split' as const, x: program.length + 1, y: 0 };
          program.push(split);
          emit(option, program);
          const jmp = { op: 'jmp' as const, x: 0 };
          program.push(jmp);
          jumps.push(jmp);
          split.y = program.length;
        } else emit(option, program);
      });
      for (const jmp of jumps) jmp.x = program.length;
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i++) emit(node.node, program);
      if (node.max === Infinity) {
        const split = { op: 'split' as const, x: program.length + 1, y: 0 };
        const start = program.length;
        program.push(split);
        emit(node.node, program);
        program.push({ op: 'jmp', x: start });
        split.y = program.length;
      } else {
        const splits: Array<{ op: 'split'; x: number; y: number }> = [];
        for (let i = node.min; i < node.max; i++) {
          const split = { op: 'split' as const, x: program.length + 1, y: 0 };
          program.push(split);
          splits.push(split);
          emit(node.node, program);
        }
        for (const split of splits) split.y = program.length;
      }
    }
  }
}

/** Pike VM: one list of threads per input position, each program counter at most once in it. */
function run(program: Instruction[], input: string): boolean {
  const chars = Array.from(input);
  const seen = new Int32Array(program.length).fill(-1);
  let current: number[] = [];
  const add = (list: number[], start: number, pos: number): boolean => {
    const stack = [start];
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === pos) continue;
      seen[pc] = pos;
      const ins = program[pc]!;
      switch (ins.op) {
        case 'match':
          return true;
        case 'jmp':
          stack.push(ins.x);
          break;
        case 'split':
          stack.push(ins.y, ins.x);
          break;
        case 'assert': {
          const before = chars[pos - 1];
          const after = chars[pos];
          const holds =
            ins.kind === '^'
              ? pos === 0
              : ins.kind === '$'
                ? pos === chars.length
                : (isWordChar(before) !== isWordChar(after)) === (ins.kind === 'b');
          if (holds) stack.push(pc + 1);
          break;
        }
        case 'char':
          list.push(pc);
      }
    }
    return false;
  };
  for (let pos = 0; pos <= chars.length; pos++) {
    // Unanchored search: a new thread starts at every position.
    if (add(current, 0, pos)) return true;
    if (pos === chars.length) break;
    const c = chars[pos]!;
    const next: number[] = [];
    for (const pc of current) {
      const ins = program[pc] as { op: 'char'; test: (c: string) => boolean };
      if (ins.test(c) && add(next, pc + 1, pos + 1)) return true;
    }
    current = next;
  }
  return false;
}
