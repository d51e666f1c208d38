import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDag } from '../../src/dag/validate.ts';

const readme = readFileSync('README.md', 'utf8');

describe('README.md', () => {
  it('has a DAG example that the validator accepts', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(loadDag(example!, 'README.md').diagnostics).toEqual([]);
  });

  it('quick start is the two commands, and demo is a package script', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts.demo).toBeTruthy();
    expect(readme).toContain(scripts.demo!.replace('node bin/airless.js', 'airless'));
  });
});
