import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './usage.ts';

const DAG_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** Run confs (`--conf`) and emulator seeds (`--seed`) may sit beside DAGs; a directory scan skips them. */
const NOT_DAG_SUFFIXES = ['.conf.json', '.seed.json'];

/**
 * Expands command-line paths into DAG files: a file is taken as given, a directory is searched
 * recursively for *.yaml, *.yml and *.json (not *.conf.json or *.seed.json, not dot-folders). Sorted, no repeats.
 */
export async function findDagFiles(paths: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) throw new UsageError(`no such file or directory: ${path}`);
    if (info.isDirectory()) {
      for (const file of await scanDirectory(path)) found.add(file);
    } else {
      found.add(path);
    }
  }
  return [...found].sort();
}

async function scanDirectory(dir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await scanDirectory(path)));
    else if (entry.isFile() && isDagFileName(entry.name)) files.push(path);
  }
  return files;
}

export function isDagFileName(name: string): boolean {
  return (
    DAG_EXTENSIONS.some((ext) => name.endsWith(ext)) &&
    !NOT_DAG_SUFFIXES.some((suffix) => name.endsWith(suffix))
  );
}
