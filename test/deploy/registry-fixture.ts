import { compileDag } from '../../src/aws/registry/compile-dag.ts';
import { bucketKeys, type DagBucket, type RegistryEntry } from '../../src/aws/registry/dag-bucket.ts';

export const STATE_MACHINE_PREFIX = 'arn:aws:states:eu-west-1:123456789012:stateMachine:airless-test-dag-';

/** Registers a DAG in the bucket the way register-dag leaves it (plan + entry), without the cloud calls. */
export async function seedDag(bucket: DagBucket, text: string, version = 7): Promise<RegistryEntry> {
  const compiled = compileDag(text, 'dags/seeded.yaml', new Date(0));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  const { ir } = compiled;
  const arn = `${STATE_MACHINE_PREFIX}${ir.dag_id}`;
  const entry: RegistryEntry = {
    dag_id: ir.dag_id,
    source_key: `dags/${ir.dag_id}.yaml`,
    source_sha256: ir.source_sha256,
    definition_sha256: 'seeded',
    state_machine_arn: arn,
    version_arn: `${arn}:${version}`,
    alias_arn: `${arn}:live`,
    schedule: ir.schedule.kind === 'none' ? null : ir.schedule.source,
    schedules: [],
    max_active_runs: ir.max_active_runs,
    triggers: ir.triggers,
    active: true,
    updated_at: '2026-11-21T10:00:00.000Z',
  };
  await bucket.putText(bucketKeys.plan(ir.dag_id), compiled.plan);
  await bucket.putJson(bucketKeys.entry(ir.dag_id), entry);
  return entry;
}

/** The execution ARN Step Functions gives an execution of the DAG's state machine. */
export const executionArnOf = (dagId: string, name: string): string =>
  `${STATE_MACHINE_PREFIX.replace(':stateMachine:', ':execution:')}${dagId}:${name}`;
