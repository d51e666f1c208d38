// The GitOps path: one state machine per statemachines/<dag_id>.asl.json (compiled from dags/ by
// `airless compile`), named <service>-<stage>-repo-<dag_id>, run by the shared WorkflowRole.
// `${TaskHandlerArn}` and `${GateHandlerArn}` become references to the `task` and `gate` functions,
// which serverless-step-functions turns into the functions' ARNs.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const HANDLERS = { '${TaskHandlerArn}': 'task', '${GateHandlerArn}': 'gate' };
const SUFFIX = '.asl.json';

function wireHandlers(value) {
  if (typeof value === 'string' && Object.hasOwn(HANDLERS, value))
    return { 'Fn::GetAtt': [HANDLERS[value], 'Arn'] };
  if (Array.isArray(value)) return value.map(wireHandlers);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireHandlers(v)]));
}

module.exports = async ({ resolveVariable }) => {
  const prefix = await resolveVariable('self:custom.repoMachinePrefix');
  // AIRLESS_STATEMACHINES_DIR lets a test package other compiled files than the repository's.
  const dir = process.env.AIRLESS_STATEMACHINES_DIR || path.join(__dirname, '..', 'statemachines');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(SUFFIX))
        .sort()
    : [];
  const machines = {};
  for (const file of files) {
    const dagId = file.slice(0, -SUFFIX.length);
    const definition = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    machines[`repo_${dagId.replace(/[^A-Za-z0-9]/g, '_')}`] = {
      name: `${prefix}${dagId}`,
      type: 'STANDARD',
      role: { 'Fn::GetAtt': ['WorkflowRole', 'Arn'] },
      definition: wireHandlers(definition),
    };
  }
  return machines;
};
