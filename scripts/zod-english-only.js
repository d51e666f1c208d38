// An esbuild plugin shared by the Lambda packaging (scripts/package-aws.js) and bench/handlers.ts.
import { join, sep } from 'node:path';

/**
 * zod's classic entry re-exports every locale (~250 KB minified) though only English is ever
 * configured; resolve its locale index to English alone. `root` holds node_modules/zod.
 */
export function zodEnglishOnly(root) {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${sep}zod${sep}`) ? { path: 'zod-locales', namespace: 'zod-en' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({
        contents: `export { default as en } from ${JSON.stringify(join(root, 'node_modules/zod/v4/locales/en.js'))};`,
        resolveDir: root,
      }));
    },
  };
}
