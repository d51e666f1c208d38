// Runs the benchmark topics named on the command line (`npm run bench -- asl durable`), or all of them;
// each file in bench/ exports run() and prints markdown tables.
import { run as asl } from './asl.ts';
import { run as awsDeployment } from './aws-deployment.ts';
import { run as cli } from './cli.ts';
import { run as dagLanguage } from './dag-language.ts';
import { run as durable } from './durable.ts';
import { run as emulators } from './emulators.ts';
import { run as fuzz } from './fuzz.ts';
import { run as handlers } from './handlers.ts';
import { run as ui } from './ui.ts';

// prettier-ignore
const topics: Array<[name: string, run: () => Promise<void>]> = [
  ['dag-language', dagLanguage],
  ['asl', asl],
  ['durable', durable],
  ['handlers', handlers],
  ['emulators', emulators],
  ['aws-deployment', awsDeployment],
  ['cli', cli],
  ['fuzz', fuzz],
  ['ui', ui],
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !topics.some(([topic]) => topic === name));
if (unknown.length > 0) {
  console.error(
    `unknown topic(s): ${unknown.join(', ')}; topics: ${topics.map(([name]) => name).join(', ')}`,
  );
  process.exit(2);
}
for (const [name, run] of topics) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  await run();
}
