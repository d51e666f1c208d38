import type { Plugin } from 'esbuild';

export function zodEnglishOnly(root: string): Plugin;
