// The GitOps path: one state machine per statemachines/<dag_id>.asl.json (compiled from dags/ by
// `airless compile`), named <service>-<stage>-repo-<dag_id>, run by the shared WorkflowRole.
// `${TaskHandlerArn}` and `${GateHandlerArn}` become references to the `task` and `gate` functions,
// which serverless-step-functions turns into the functions' ARNs.
// A split DAG's bundle ({ definition, children: { Child_<n>: ... } }) becomes the parent plus one
// machine per child, <name>-child-<n>; the parent's `${Child_<n>}` become `Ref`s to the children, so
// CloudFormation creates the children first. Unlike register-dag (which pins child versions), a
// stack update replaces the children in place: a run in flight then starts the new children.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const HANDLERS = { '${TaskHandlerArn}': 'task', '${GateHandlerArn}': 'gate' };
const SUFFIX = '.asl.json';
const MAX_NAME = 80;

function wire(value, children) {
  if (typeof value === 'string' && Object.hasOwn(HANDLERS, value))
    return { 'Fn::GetAtt': [HANDLERS[value], 'Arn'] };
  const child = typeof value === 'string' ? /^\$\{(Child_\d+)\}$/.exec(value) : null;
  if (child) {
    if (!Object.hasOwn(children, child[1])) throw new Error(`no child machine ${child[1]} in the bundle`);
    return { Ref: children[child[1]] };
  }
  if (Array.isArray(value)) return value.map((v) => wire(v, children));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v, children)]));
}

// A CloudFormation logical id per child: dag_ids are lowercase, so Dash/Underscore keep it unique.
const logicalPart = (dagId) => dagId.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');

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
  const machine = (key, name, definition, children, id) => {
    if (name.length > MAX_NAME) throw new Error(`state machine name ${name} is longer than ${MAX_NAME}`);
    machines[key] = {
      ...(id ? { id } : {}),
      name,
      type: 'STANDARD',
      role: { 'Fn::GetAtt': ['WorkflowRole', 'Arn'] },
      definition: wire(definition, children),
    };
  };
  for (const file of files) {
    const dagId = file.slice(0, -SUFFIX.length);
    const key = `repo_${dagId.replace(/[^A-Za-z0-9]/g, '_')}`;
    const compiled = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (!('children' in compiled && 'definition' in compiled)) {
      machine(key, `${prefix}${dagId}`, compiled, {});
      continue;
    }
    const ids = {};
    for (const [substitution, child] of Object.entries(compiled.children)) {
      const n = /^Child_(\d+)$/.exec(substitution)?.[1];
      if (!n) throw new Error(`${file}: unexpected child ${substitution}`);
      ids[substitution] = `RepoDag${logicalPart(dagId)}Child${n}`;
      machine(`${key}_child_${n}`, `${prefix}${dagId}-child-${n}`, child, {}, ids[substitution]);
    }
    machine(key, `${prefix}${dagId}`, compiled.definition, ids);
  }
  return machines;
};
