/**
 * Deterministic JSON: object keys sorted at every depth, arrays kept in order, 2-space indent and a
 * trailing newline. Every compiled file goes through this, so the same IR gives the same bytes.
 */
export function stableStringify(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * A copy with every plain object's keys in sorted order and undefined values dropped. Parts that are
 * already so (plain objects with sorted keys, arrays of such) are returned as they are rather than
 * copied: about half the IR's objects are built in sorted order, and copying was most of the time here.
 */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const sorted = sortKeys(item);
      if (sorted !== item && copy === undefined) copy = value.slice(0, i);
      copy?.push(sorted);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const inOrder = isPlain(record) && isSorted(keys);
  if (!inOrder) keys.sort();
  let copy: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = record[key];
    const sorted = sortKeys(v);
    if (copy === undefined && (v === undefined || sorted !== v)) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = record[keys[j]!];
    }
    if (copy !== undefined && sorted !== undefined) copy[key] = sorted;
  }
  return copy ?? record;
}

function isPlain(record: object): boolean {
  const proto: unknown = Object.getPrototypeOf(record);
  return proto === Object.prototype || proto === null;
}

/** Strictly ascending, and without '__proto__' (assigned to a copy, it sets the prototype: no key). */
function isSorted(keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === '__proto__' || (i > 0 && keys[i - 1]! >= keys[i]!)) return false;
  }
  return true;
}
