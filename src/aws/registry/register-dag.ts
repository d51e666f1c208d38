import { createHash } from 'node:crypto';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Diagnostic } from '../../dag/diagnostics.ts';
import { formatDiagnostic } from '../../dag/diagnostics.ts';
import {
  bucketKeys,
  type ChildMachine,
  type DagBucket,
  isDagSourceKey,
  type RegistryEntry,
} from './dag-bucket.ts';
import { setSchedulesState, type SchedulerTarget, scheduleEntries, syncSchedules } from './schedule-sync.ts';
import { type LiveVersion, publishLive, publishVersion } from './state-machine-deploy.ts';

export interface RegistryConfig {
  /** State machines are named `<prefix><dag_id>`; IAM scopes the registry to that prefix. */
  stateMachinePrefix: string;
  /** `arn:aws:states:<region>:<account>:stateMachine:` */
  stateMachineArnPrefix: string;
  workflowRoleArn: string;
  /** Substituted for `${TaskHandlerArn}` in the compiled ASL. */
  taskHandlerArn: string;
  /** Substituted for `${GateHandlerArn}` (the gates' callback and end reports). */
  gateHandlerArn: string;
  scheduler: SchedulerTarget;
}

export interface RegistryDeps {
  bucket: DagBucket;
  sfn: SFNClient;
  scheduler: SchedulerClient;
  config: RegistryConfig;
  now: () => Date;
}

export type Registration =
  | { action: 'published'; dag_id: string; version_arn: string }
  | { action: 'unchanged'; dag_id: string; version_arn: string }
  | { action: 'rejected'; dag_id: string; diagnostics: string[] }
  | { action: 'deactivated'; dag_id: string }
  | { action: 'ignored'; key: string; reason: string };

/** The number of a state machine version ARN (`...:stateMachine:<name>:<n>`); 0 when it has none. */
export const versionNumber = (versionArn: string): number => Number(/:(\d+)$/.exec(versionArn)?.[1] ?? 0);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const TASK_HANDLER_PLACEHOLDER = '${TaskHandlerArn}';
const GATE_HANDLER_PLACEHOLDER = '${GateHandlerArn}';
const MAX_STATE_MACHINE_NAME = 80;

/** The compiled file: one ASL, or a split DAG's bundle (src/compiler/aws/target.ts). */
interface SplitBundle {
  definition: Record<string, unknown>;
  children: Record<string, Record<string, unknown>>;
}
const isBundle = (value: unknown): value is SplitBundle =>
  typeof value === 'object' && value !== null && 'definition' in value && 'children' in value;
const childNumber = (substitution: string): number => Number(substitution.slice('Child_'.length));

interface Published {
  live: LiveVersion;
  children: ChildMachine[];
  /** What is stored as compiled/<dag_id>.asl.json: the definitions deployed. */
  deployed: string;
}

/**
 * Publishes a split DAG: every child first, each as a version, then the parent naming those
 * versions, then `live`. The parent names child VERSION ARNs, not their aliases: a parent version
 * then always starts the children of its own registration, so a run keeps one DAG from start to end
 * even when a new registration lands while it runs, and a registration that fails halfway leaves the
 * live parent starting the children it always did. Nothing moves `live` before every machine is in.
 */
async function publishSplit(
  deps: RegistryDeps,
  bundle: SplitBundle,
  bundleText: string,
  release: { name: string; versionDescription: string },
): Promise<Published> {
  const { stateMachineArnPrefix: arnPrefix, workflowRoleArn: roleArn } = deps.config;
  const children: ChildMachine[] = [];
  const versions = new Map<string, string>();
  const substitutions = Object.keys(bundle.children).sort((a, b) => childNumber(a) - childNumber(b));
  for (const substitution of substitutions) {
    const name = `${release.name}-child-${childNumber(substitution)}`;
    const version = await publishVersion(deps.sfn, {
      name,
      arn: `${arnPrefix}${name}`,
      definition: JSON.stringify(bundle.children[substitution]),
      roleArn,
      versionDescription: release.versionDescription,
    });
    children.push({ name, state_machine_arn: version.stateMachineArn, version_arn: version.versionArn });
    versions.set(substitution, version.versionArn);
  }
  const fill = (text: string) =>
    text.replace(/\$\{(Child_\d+)\}/g, (placeholder, s: string) => versions.get(s) ?? placeholder);
  const live = await publishLive(deps.sfn, {
    ...release,
    arn: `${arnPrefix}${release.name}`,
    definition: fill(JSON.stringify(bundle.definition)),
    roleArn,
  });
  return { live, children, deployed: fill(bundleText) };
}

async function reject(
  deps: RegistryDeps,
  key: string,
  dagId: string,
  diagnostics: Diagnostic[],
): Promise<Registration> {
  const lines = diagnostics.map(formatDiagnostic);
  await deps.bucket.putJson(bucketKeys.errors(dagId), {
    dag_id: dagId,
    source_key: key,
    rejected_at: deps.now().toISOString(),
    errors: lines,
    diagnostics,
  });
  return { action: 'rejected', dag_id: dagId, diagnostics: lines };
}

/** Disables the schedules of DAGs registered from `key` (except `keep`) and marks them inactive; state machines and history stay. */
async function deactivateFrom(deps: RegistryDeps, key: string, keep?: string): Promise<string[]> {
  const stale = (await deps.bucket.listEntries()).filter(
    (e) => e.source_key === key && e.active && e.dag_id !== keep,
  );
  for (const entry of stale) {
    await setSchedulesState(deps.scheduler, entry.dag_id, entry.schedules, deps.config.scheduler, 'DISABLED');
    await deps.bucket.putJson(bucketKeys.entry(entry.dag_id), {
      ...entry,
      active: false,
      updated_at: deps.now().toISOString(),
    } satisfies RegistryEntry);
  }
  return stale.map((e) => e.dag_id);
}

/** The source file is gone: its DAG stops running (schedules disabled, runs refused). */
async function deactivate(deps: RegistryDeps, key: string): Promise<Registration> {
  const [dagId] = await deactivateFrom(deps, key);
  if (dagId === undefined)
    return { action: 'ignored', key, reason: 'no live DAG was registered from this file' };
  return { action: 'deactivated', dag_id: dagId };
}

/**
 * Brings what is live in line with one object under `dags/`. It reads the object as it is now,
 * not as the event said, so late or repeated events converge: present means register, absent
 * means deactivate.
 */
export async function registerDagObject(deps: RegistryDeps, key: string): Promise<Registration> {
  if (!isDagSourceKey(key)) return { action: 'ignored', key, reason: 'not a DAG file under dags/' };
  const text = await deps.bucket.getText(key);
  if (text === null) return deactivate(deps, key);

  const now = deps.now();
  // The DAG language, compiler and ASL validator load only when a DAG is compiled, not for deletions.
  const { compileDag } = await import('./compile-dag.ts');
  const compiled = compileDag(text, key, now);
  if (!compiled.ok) return reject(deps, key, compiled.dagId, compiled.diagnostics);
  const { ir } = compiled;
  const dagId = ir.dag_id;

  const previous = await deps.bucket.getEntry(dagId);
  if (
    previous?.active &&
    previous.source_key !== key &&
    (await deps.bucket.getText(previous.source_key)) !== null
  ) {
    const message = `dag_id '${dagId}' is already registered from ${previous.source_key}; dag_id must be unique per deployment`;
    return reject(deps, key, dagId, [{ file: key, line: 1, col: 1, path: ['dag_id'], message }]);
  }

  const definition = compiled.asl
    .split(TASK_HANDLER_PLACEHOLDER)
    .join(deps.config.taskHandlerArn)
    .split(GATE_HANDLER_PLACEHOLDER)
    .join(deps.config.gateHandlerArn);
  const definitionSha = sha256(definition);
  if (
    previous?.active &&
    previous.source_sha256 === ir.source_sha256 &&
    previous.definition_sha256 === definitionSha
  ) {
    await deps.bucket.delete(bucketKeys.errors(dagId)); // a rejected edit was reverted
    return { action: 'unchanged', dag_id: dagId, version_arn: previous.version_arn };
  }

  const name = `${deps.config.stateMachinePrefix}${dagId}`;
  const parsed: unknown = JSON.parse(definition);
  const bundle = isBundle(parsed) ? parsed : null;
  const childCount = bundle ? Object.keys(bundle.children).length : 0;
  const longest = childCount > 0 ? `${name}-child-${childCount}` : name;
  if (longest.length > MAX_STATE_MACHINE_NAME) {
    const message = `state machine name '${longest}' is longer than Step Functions' ${MAX_STATE_MACHINE_NAME} characters; shorten the dag_id`;
    return reject(deps, key, dagId, [{ file: key, line: 1, col: 1, path: ['dag_id'], message }]);
  }
  const versionDescription = `${dagId} sha256:${ir.source_sha256}`;
  const { live, children, deployed }: Published = bundle
    ? await publishSplit(deps, bundle, definition, { name, versionDescription })
    : {
        live: await publishLive(deps.sfn, {
          name,
          arn: `${deps.config.stateMachineArnPrefix}${name}`,
          definition,
          roleArn: deps.config.workflowRoleArn,
          versionDescription,
        }),
        children: [],
        deployed: definition,
      };
  const version = versionNumber(live.versionArn);
  await Promise.all([
    deps.bucket.putText(bucketKeys.asl(dagId), deployed),
    deps.bucket.putText(bucketKeys.plan(dagId), compiled.plan),
    deps.bucket.putText(bucketKeys.versionPlan(dagId, version), compiled.plan),
    deps.bucket.putText(bucketKeys.report(dagId), compiled.report),
  ]);
  // A DAG paused through the API stays paused when a new version of its file lands.
  const paused = previous?.is_paused === true;
  const schedules = await syncSchedules(
    deps.scheduler,
    dagId,
    scheduleEntries(dagId, compiled.schedules),
    previous?.schedules ?? [],
    deps.config.scheduler,
    paused ? 'DISABLED' : 'ENABLED',
  );
  const entry: RegistryEntry = {
    dag_id: dagId,
    source_key: key,
    source_sha256: ir.source_sha256,
    definition_sha256: definitionSha,
    state_machine_arn: live.stateMachineArn,
    version_arn: live.versionArn,
    alias_arn: live.aliasArn,
    ...(children.length > 0 ? { children } : {}),
    schedule: ir.schedule.kind === 'none' ? null : ir.schedule.source,
    schedules,
    max_active_runs: ir.max_active_runs,
    triggers: ir.triggers,
    active: true,
    ...(paused ? { is_paused: true } : {}),
    updated_at: now.toISOString(),
  };
  await deps.bucket.putJson(bucketKeys.entry(dagId), entry);
  await deps.bucket.delete(bucketKeys.errors(dagId));
  // The file used to declare another dag_id: that DAG is no longer in any file.
  await deactivateFrom(deps, key, dagId);
  return { action: 'published', dag_id: dagId, version_arn: live.versionArn };
}
