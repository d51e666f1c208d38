import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiAssets } from '../../src/ui/assets.ts';
import { buildUiInto } from './browser.ts';

describe('UI assets', () => {
  it('serves the build: index, app.js and styles.css with their types, no CDN, a strict CSP', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'airless-ui-')), 'ui');
    buildUiInto(dir);
    const assets = uiAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['/ui/', '/ui/app.js', '/ui/index.html', '/ui/styles.css']);
    expect(assets.get('/ui/')!.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(assets.get('/ui/app.js')!.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/ui/')!.headers['content-security-policy']).toContain("script-src 'self'");
    const html = assets.get('/ui/')!.body.toString('utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(assets.get('/ui/app.js')!.body.toString('utf8')).not.toMatch(/<script src=|https:\/\/(unpkg|cdn)/);
  });

  it('says how to build when the UI is not built', () => {
    expect(() => uiAssets(mkdtempSync(join(tmpdir(), 'airless-none-')))).toThrow(/npm run build:ui/);
  });
});
