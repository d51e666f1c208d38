// Runs every benchmark topic; each file in bench/ exports run() and prints markdown tables.
import { run as asl } from './asl.ts';
import { run as awsDeployment } from './aws-deployment.ts';
import { run as dagLanguage } from './dag-language.ts';
import { run as durable } from './durable.ts';
import { run as emulators } from './emulators.ts';
import { run as handlers } from './handlers.ts';

// prettier-ignore
const topics: Array<[name: string, run: () => Promise<void>]> = [
  ['dag-language', dagLanguage],
  ['asl', asl],
  ['durable', durable],
  ['handlers', handlers],
  ['emulators', emulators],
  ['aws-deployment', awsDeployment],
];

for (const [name, run] of topics) {
  console.log(`\n## ${name}`);
  await run();
}
