import { describe, expect, it } from 'vitest';
import { wrap } from '../../src/local/wrap.ts';

describe('wrap', () => {
  it('breaks at spaces, never past the width', () => {
    expect(wrap('aws without asl cpu ms', 12)).toEqual(['aws without', 'asl cpu ms']);
  });

  it('breaks a word longer than the width after a hyphen rather than inside a word', () => {
    expect(wrap('aws without asl-validator cpu ms', 12)).toEqual([
      'aws without',
      'asl-',
      'validator',
      'cpu ms',
    ]);
  });

  it('cuts a word with no space or hyphen at the width', () => {
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});
