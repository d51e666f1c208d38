import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/compiler/serialize.ts';

describe('stableStringify', () => {
  it('sorts keys at every depth, keeps array order, indents by 2 and ends with a newline', () => {
    const text = stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } });
    expect(text).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('gives the same bytes for objects built in different orders, and drops undefined', () => {
    expect(stableStringify({ x: 1, y: undefined, z: [1, 2] })).toBe(stableStringify({ z: [1, 2], x: 1 }));
  });
});
