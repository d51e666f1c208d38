import { tmpdir } from 'node:os';
import { expect, it } from 'vitest';

it('test files write temporary files under the run’s own directory, removed when the run ends', () => {
  expect(process.env.AIRLESS_TEST_TMPDIR).toMatch(/airless-test-run-/);
  expect(tmpdir()).toBe(process.env.AIRLESS_TEST_TMPDIR);
});
