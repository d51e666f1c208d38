import type { Command } from 'commander';
import { Option } from 'commander';
import { buildIr } from '../../compiler/build-ir.ts';
import type { DiagramFormat } from '../../compiler/diagram.ts';
import { DIAGRAM_FORMATS, renderDiagram } from '../../compiler/diagram.ts';
import { diagnosticLines, loadDagFiles } from '../load-dags.ts';
import { COMMANDS } from './index.ts';

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description(COMMANDS.graph.summary)
    .argument('<file>', 'a DAG file')
    .addOption(
      new Option('--format <format>', 'diagram language').choices(DIAGRAM_FORMATS).default('mermaid'),
    )
    .addHelpText('after', '\nExit codes: 0 ok, 1 invalid DAG or unreadable file, 2 usage error.')
    .action(async (file: string, options: { format: DiagramFormat }) => {
      const [loaded] = await loadDagFiles([file]);
      if (!loaded?.dag) {
        for (const line of diagnosticLines(loaded ? [loaded] : [])) console.error(line);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(renderDiagram(buildIr(loaded.dag, loaded.text), options.format));
      process.exitCode = 0;
    });
}
