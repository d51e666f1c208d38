import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { formatDiagnostic } from '../dag/diagnostics.ts';
import type { DagDocument } from '../dag/schema.ts';
import { loadDag } from '../dag/validate.ts';

export interface LoadedDag {
  file: string;
  text: string;
  /** The validated document, or null when the file has diagnostics. */
  dag: DagDocument | null;
  diagnostics: Diagnostic[];
}

/** Reads and validates each file; an unreadable file becomes a diagnostic too. */
export async function loadDagFiles(files: string[]): Promise<LoadedDag[]> {
  const loaded: LoadedDag[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      loaded.push({
        file,
        text: '',
        dag: null,
        diagnostics: [diagnostic(file, `cannot read file: ${reason}`)],
      });
      continue;
    }
    const { dag, diagnostics } = loadDag(text, file);
    loaded.push({ file, text, dag: diagnostics.length === 0 ? (dag ?? null) : null, diagnostics });
  }
  return loaded;
}

/** Valid DAGs whose dag_id another file already uses get a diagnostic: ids are unique per deployment. */
export function checkUniqueDagIds(loaded: LoadedDag[]): void {
  const firstFile = new Map<string, string>();
  for (const entry of loaded) {
    if (!entry.dag) continue;
    const other = firstFile.get(entry.dag.dag_id);
    if (other === undefined) {
      firstFile.set(entry.dag.dag_id, entry.file);
    } else {
      const at = keyPosition(entry.text, 'dag_id');
      entry.diagnostics.push({
        ...diagnostic(entry.file, `dag_id '${entry.dag.dag_id}' is already used by ${other}`),
        ...at,
        path: ['dag_id'],
      });
      entry.dag = null;
    }
  }
}

export const diagnosticLines = (loaded: LoadedDag[]): string[] =>
  loaded.flatMap((entry) => entry.diagnostics.map(formatDiagnostic));

/** Line and column of the first `key:` in a YAML or JSON text (1:1 when absent). */
function keyPosition(text: string, key: string): { line: number; col: number } {
  const match = new RegExp(`["']?${key}["']?\\s*:`).exec(text);
  if (!match) return { line: 1, col: 1 };
  const before = text.slice(0, match.index);
  return { line: before.split('\n').length, col: match.index - before.lastIndexOf('\n') };
}

const diagnostic = (file: string, message: string): Diagnostic => ({
  file,
  line: 1,
  col: 1,
  message,
  path: [],
});

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
