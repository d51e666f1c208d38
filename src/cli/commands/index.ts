import type { Command } from 'commander';

/**
 * Every command: its one-line summary (for `airless --help`) and its module, loaded only when the
 * command runs, so starting the CLI costs one command's imports, not all of them.
 */
export interface CommandEntry {
  summary: string;
  load: () => Promise<(program: Command) => void>;
}

// prettier-ignore
export const COMMANDS = {
  validate: { summary: 'Check DAG files and print every problem as file:line:col: error: message', load: () => import('./validate.ts').then((m) => m.registerValidate) },
  compile: { summary: 'Compile DAG files to one or all targets, writing <out>/<dag_id><target suffix>', load: () => import('./compile.ts').then((m) => m.registerCompile) },
  graph: { summary: "Print a DAG's task graph as a Mermaid flowchart or a Graphviz dot digraph", load: () => import('./graph.ts').then((m) => m.registerGraph) },
  schema: { summary: 'Print the JSON Schema of the DAG file format (for yaml-language-server and other editors)', load: () => import('./schema.ts').then((m) => m.registerSchema) },
  run: { summary: 'Run one DAG locally: --simulate replaces every task by a virtual-time simulator', load: () => import('./run.ts').then((m) => m.registerRun) },
  emulators: { summary: 'Run the local emulators (Entra ID, Key Vault, HDInsight Flink ARM, Flink REST, Genie) until Ctrl-C', load: () => import('./emulators.ts').then((m) => m.registerEmulators) },
  standalone: { summary: 'Serve the Airflow REST API v2 and run DAGs from a folder on embedded services, kept across restarts', load: () => import('./standalone.ts').then((m) => m.registerStandalone) },
  backfill: { summary: 'Backfill a registered DAG over a date range through the airless API (airless standalone by default)', load: () => import('./backfill.ts').then((m) => m.registerBackfill) },
  docs: { summary: 'Write docs/operators.md, the reference of every operator, from the DAG schema', load: () => import('./docs.ts').then((m) => m.registerDocs) },
} satisfies Record<string, CommandEntry>;
