import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web UI's built files (dist/ui, scripts/build-ui.js) as what a server answers: `airless
 * standalone`, the AWS stack and the Azure Functions app serve the same build, each behind the
 * authorisation of its API. The UI only calls the Airflow REST API v2 at `../api/v2/` relative to
 * its own address, so it works under any path prefix (an API Gateway stage, a Functions route).
 */
export interface UiAsset {
  body: Buffer;
  /** Content-Type, Cache-Control, ETag and the security headers (the page loads nothing from elsewhere). */
  headers: Record<string, string>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** dist/ui of the package this module belongs to (from src/ui, dist/cli or dist/src/ui). */
function packageUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('airless: cannot find the package root of the web UI');
    dir = parent;
  }
  return join(dir, 'dist', 'ui');
}

/**
 * Every UI file keyed by the path a server answers it at: `/ui/` (index.html), `/ui/app.js`,
 * `/ui/styles.css`. A server looks the request path up and answers the asset, or passes on. Throws
 * when the UI is not built (`npm run build:ui`).
 */
export function uiAssets(dir: string = packageUiDir()): ReadonlyMap<string, UiAsset> {
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`airless: the web UI is not built in ${dir} (npm run build:ui)`);
  const assets = new Map<string, UiAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = readFileSync(join(dir, name));
    const asset: UiAsset = {
      body,
      headers: {
        'content-type': contentType,
        'cache-control': 'no-cache',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        ...SECURITY_HEADERS,
      },
    };
    assets.set(`/ui/${name}`, asset);
    if (name === 'index.html') assets.set('/ui/', asset);
  }
  return assets;
}
