import { createHash } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  SFNClient,
  StateMachineDoesNotExist,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DagBucket, type RegistryEntry } from '../../src/aws/registry/dag-bucket.ts';
import { type RegistryDeps, registerDagObject } from '../../src/aws/registry/register-dag.ts';
import { objectEvents } from '../../src/aws/registry/s3-events.ts';
import { type LocalS3, startS3 } from './s3rver.ts';

/*
 * The upload path: a real S3 API (s3rver on loopback) and the real S3 client; Step Functions and
 * EventBridge Scheduler through aws-sdk-client-mock, because no local engine exists for their
 * control-plane APIs (aws-local-stepfunctions runs ASL, it has no CreateStateMachine/aliases).
 */
const BUCKET = 'airless-dags';
const ACCOUNT_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:';
const TASK_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:airless-test-task';
const CONFIG: RegistryDeps['config'] = {
  stateMachinePrefix: 'airless-test-',
  stateMachineArnPrefix: ACCOUNT_ARN,
  workflowRoleArn: 'arn:aws:iam::123456789012:role/airless-test-workflow',
  taskHandlerArn: TASK_ARN,
  gateHandlerArn: 'arn:aws:lambda:eu-west-1:123456789012:function:airless-test-gate',
  scheduler: {
    group: 'airless-test',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:airless-test-scheduledRun',
    roleArn: 'arn:aws:iam::123456789012:role/airless-test-scheduler',
  },
};
const SM_ARN = `${ACCOUNT_ARN}airless-test-nightly_report`;
const NOW = new Date('2026-11-21T10:00:00Z');

const dagText = (schedule: string, extra = '') => `dag_id: nightly_report
schedule: "${schedule}"
timezone: Europe/Berlin
max_active_runs: 2
params:
  region: { type: string, default: eu }
tasks:
  start: { operator: empty${extra} }
  finish: { operator: empty, depends_on: [start] }
`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let s3: LocalS3;
let bucket: DagBucket;
const sfn = mockClient(SFNClient);
const scheduler = mockClient(SchedulerClient);
let deps: RegistryDeps;

/** Uploads through the S3 API and hands register-dag the notification s3rver emitted for it. */
async function upload(key: string, body: string | null) {
  const before = s3.events.length;
  if (body === null) await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  else await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const event = s3.events.slice(before).at(-1);
  const [object] = objectEvents(event);
  expect(object).toMatchObject({ bucket: BUCKET, key, created: body !== null });
  return registerDagObject(deps, object!.key);
}

const sfnCalls = () => sfn.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
const schedulerCalls = () => scheduler.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);

const scheduleInput = (expression: string, state = 'ENABLED', name = 'nightly_report') => ({
  Name: name,
  GroupName: 'airless-test',
  Description: 'airless DAG nightly_report',
  ScheduleExpression: expression,
  ScheduleExpressionTimezone: 'Europe/Berlin',
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: state,
  ActionAfterCompletion: 'NONE',
  Target: {
    Arn: CONFIG.scheduler.functionArn,
    RoleArn: CONFIG.scheduler.roleArn,
    Input: '{"dag_id":"nightly_report","logical_date":"<aws.scheduler.scheduled-time>"}',
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
  },
});

beforeAll(async () => {
  s3 = await startS3([BUCKET]);
  bucket = new DagBucket(s3.client, BUCKET);
  deps = {
    bucket,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    scheduler: new SchedulerClient({ region: 'eu-west-1' }),
    config: CONFIG,
    now: () => NOW,
  };
});
afterAll(async () => {
  await s3.close();
});
beforeEach(() => {
  sfn.reset();
  scheduler.reset();
});

describe('register-dag: upload, change, reject, remove', () => {
  const v1 = dagText('0 3 * * 1-5');
  const v2 = dagText('@daily', ', doc: changed');

  it('a new file creates the state machine, publishes version 1 described by the hash, points live at it, creates the schedule', async () => {
    sfn
      .on(DescribeStateMachineCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'no', $metadata: {} }));
    sfn
      .on(CreateStateMachineCommand)
      .resolves({ stateMachineArn: SM_ARN, stateMachineVersionArn: `${SM_ARN}:1` });
    sfn.on(CreateStateMachineAliasCommand).resolves({ stateMachineAliasArn: `${SM_ARN}:live` });

    const result = await upload('dags/nightly.yaml', v1);

    expect(result).toEqual({ action: 'published', dag_id: 'nightly_report', version_arn: `${SM_ARN}:1` });
    const definition = (await bucket.getText('compiled/nightly_report.asl.json'))!;
    expect(definition).toContain(TASK_ARN);
    expect(definition).not.toContain('${TaskHandlerArn}');
    expect(definition).not.toContain('${GateHandlerArn}');
    expect(sfnCalls()).toEqual([
      ['DescribeStateMachineCommand', { stateMachineArn: SM_ARN }],
      [
        'CreateStateMachineCommand',
        {
          name: 'airless-test-nightly_report',
          type: 'STANDARD',
          definition,
          roleArn: CONFIG.workflowRoleArn,
          publish: true,
          versionDescription: `nightly_report sha256:${sha256(v1)}`,
        },
      ],
      [
        'CreateStateMachineAliasCommand',
        { name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${SM_ARN}:1`, weight: 100 }] },
      ],
    ]);
    expect(schedulerCalls()).toEqual([['CreateScheduleCommand', scheduleInput('cron(0 3 ? * MON-FRI *)')]]);
    const entry = (await bucket.getEntry('nightly_report'))!;
    expect(entry).toMatchObject({
      source_key: 'dags/nightly.yaml',
      source_sha256: sha256(v1),
      version_arn: `${SM_ARN}:1`,
      alias_arn: `${SM_ARN}:live`,
      schedule: '0 3 * * 1-5',
      max_active_runs: 2,
      active: true,
    });
    expect(JSON.parse((await bucket.getText('compiled/nightly_report.plan.json'))!).source_sha256).toBe(
      sha256(v1),
    );
    expect(
      JSON.parse((await bucket.getText('compiled/nightly_report.report.json'))!).sections.length,
    ).toBeGreaterThan(0);
  });

  it('the same file again publishes nothing and calls neither Step Functions nor Scheduler', async () => {
    expect(await upload('dags/nightly.yaml', v1)).toEqual({
      action: 'unchanged',
      dag_id: 'nightly_report',
      version_arn: `${SM_ARN}:1`,
    });
    expect(sfnCalls()).toEqual([]);
    expect(schedulerCalls()).toEqual([]);
  });

  it('a changed file updates the machine, publishes version 2, moves live, updates the schedule', async () => {
    sfn.on(DescribeStateMachineCommand).resolves({ stateMachineArn: SM_ARN });
    sfn.on(UpdateStateMachineCommand).resolves({ stateMachineVersionArn: `${SM_ARN}:2` });
    sfn.on(UpdateStateMachineAliasCommand).resolves({});

    expect(await upload('dags/nightly.yaml', v2)).toMatchObject({
      action: 'published',
      version_arn: `${SM_ARN}:2`,
    });
    const definition = (await bucket.getText('compiled/nightly_report.asl.json'))!;
    expect(sfnCalls()).toEqual([
      ['DescribeStateMachineCommand', { stateMachineArn: SM_ARN }],
      [
        'UpdateStateMachineCommand',
        {
          stateMachineArn: SM_ARN,
          definition,
          roleArn: CONFIG.workflowRoleArn,
          publish: true,
          versionDescription: `nightly_report sha256:${sha256(v2)}`,
        },
      ],
      [
        'UpdateStateMachineAliasCommand',
        {
          stateMachineAliasArn: `${SM_ARN}:live`,
          routingConfiguration: [{ stateMachineVersionArn: `${SM_ARN}:2`, weight: 100 }],
        },
      ],
    ]);
    expect(schedulerCalls()).toEqual([['UpdateScheduleCommand', scheduleInput('cron(0 0 * * ? *)')]]);
  });

  it('an invalid file writes errors/<dag_id>.json with every diagnostic and never touches the alias or schedule', async () => {
    const before = await bucket.getText('registry/nightly_report.json');
    const aslBefore = await bucket.getText('compiled/nightly_report.asl.json');
    const broken = v2
      .replace('depends_on: [start]', 'depends_on: [strat]')
      .replace('{ type: string', '{ typ: string');

    const result = await upload('dags/nightly.yaml', broken);

    expect(result.action).toBe('rejected');
    expect(sfnCalls()).toEqual([]);
    expect(schedulerCalls()).toEqual([]);
    const errors = JSON.parse((await bucket.getText('errors/nightly_report.json'))!);
    expect(errors.source_key).toBe('dags/nightly.yaml');
    expect(errors.errors).toEqual([
      expect.stringMatching(/^dags\/nightly\.yaml:6:\d+: error: .*typ/),
      expect.stringMatching(/^dags\/nightly\.yaml:9:\d+: error: .*unknown task 'strat'/),
    ]);
    expect(await bucket.getText('registry/nightly_report.json')).toBe(before);
    expect(await bucket.getText('compiled/nightly_report.asl.json')).toBe(aslBefore);
  });

  it('a schedule EventBridge cannot express is rejected at the schedule line', async () => {
    const result = await upload('dags/nightly.yaml', dagText('0 0 */2 * 1'));
    expect(result).toMatchObject({ action: 'rejected' });
    expect(result.action === 'rejected' && result.diagnostics[0]).toMatch(
      /^dags\/nightly\.yaml:2:11: error: schedule '0 0 \*\/2 \* 1' cannot be expressed/,
    );
    expect(sfnCalls()).toEqual([]);
  });

  it('a DAG the AWS compiler refuses (an unbounded poll) is rejected at the task, nothing deployed', async () => {
    const unbounded = v2.replace(
      '  finish: { operator: empty, depends_on: [start] }',
      '  finish: { operator: flink.rest, endpoint: http://flink:8081, action: NEW, jar_id: a.jar, entry_class: A, depends_on: [start] }',
    );
    const result = await upload('dags/nightly.yaml', unbounded);
    expect(result.action === 'rejected' && result.diagnostics).toEqual([
      expect.stringMatching(
        /^dags\/nightly\.yaml:9:3: error: task finish: a job task needs execution_timeout/,
      ),
    ]);
    expect(sfnCalls()).toEqual([]);
    expect(schedulerCalls()).toEqual([]);
  });

  it('a fixed file clears errors/<dag_id>.json; a day-of-month-or-week cron gets two schedules', async () => {
    sfn.on(DescribeStateMachineCommand).resolves({ stateMachineArn: SM_ARN });
    sfn.on(UpdateStateMachineCommand).resolves({ stateMachineVersionArn: `${SM_ARN}:3` });
    sfn.on(UpdateStateMachineAliasCommand).resolves({});

    expect(await upload('dags/nightly.yaml', dagText('0 6 1 * 1'))).toMatchObject({ action: 'published' });
    expect(await bucket.getText('errors/nightly_report.json')).toBeNull();
    expect(schedulerCalls()).toEqual([
      ['UpdateScheduleCommand', scheduleInput('cron(0 6 1 * ? *)')],
      ['CreateScheduleCommand', scheduleInput('cron(0 6 ? * MON *)', 'ENABLED', 'nightly_report.dow')],
    ]);
  });

  it('reverting a rejected edit to the live file publishes nothing and clears errors/<dag_id>.json', async () => {
    const live = dagText('0 6 1 * 1');
    expect(await upload('dags/nightly.yaml', live.replace('tasks:', 'taskz:'))).toMatchObject({
      action: 'rejected',
    });
    expect(await bucket.getText('errors/nightly_report.json')).not.toBeNull();
    expect(await upload('dags/nightly.yaml', live)).toMatchObject({
      action: 'unchanged',
      version_arn: `${SM_ARN}:3`,
    });
    expect(await bucket.getText('errors/nightly_report.json')).toBeNull();
    expect(sfnCalls()).toEqual([]);
    expect(schedulerCalls()).toEqual([]);
  });

  it('another file claiming the same dag_id is rejected while the first exists', async () => {
    const result = await upload('dags/copy.yml', dagText('@hourly'));
    expect(result.action === 'rejected' && result.diagnostics).toEqual([
      "dags/copy.yml:1:1: error: dag_id 'nightly_report' is already registered from dags/nightly.yaml; dag_id must be unique per deployment",
    ]);
    expect(sfnCalls()).toEqual([]);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'dags/copy.yml' }));
  });

  it('a removed file disables its schedules and keeps the state machine', async () => {
    expect(await upload('dags/nightly.yaml', null)).toEqual({
      action: 'deactivated',
      dag_id: 'nightly_report',
    });
    expect(sfnCalls()).toEqual([]);
    expect(schedulerCalls()).toEqual([
      ['UpdateScheduleCommand', scheduleInput('cron(0 6 1 * ? *)', 'DISABLED')],
      ['UpdateScheduleCommand', scheduleInput('cron(0 6 ? * MON *)', 'DISABLED', 'nightly_report.dow')],
    ]);
    const entry = (await bucket.getEntry('nightly_report')) as RegistryEntry;
    expect(entry).toMatchObject({ active: false, version_arn: `${SM_ARN}:3` });
  });

  it('re-uploading it with no schedule deletes the schedules and republishes', async () => {
    sfn.on(DescribeStateMachineCommand).resolves({ stateMachineArn: SM_ARN });
    sfn.on(UpdateStateMachineCommand).resolves({ stateMachineVersionArn: `${SM_ARN}:4` });
    sfn.on(UpdateStateMachineAliasCommand).resolves({});
    const manual = dagText('x').replace('schedule: "x"', 'schedule: null');

    expect(await upload('dags/nightly.yaml', manual)).toMatchObject({ action: 'published' });
    expect(schedulerCalls()).toEqual([
      ['DeleteScheduleCommand', { Name: 'nightly_report', GroupName: 'airless-test' }],
      ['DeleteScheduleCommand', { Name: 'nightly_report.dow', GroupName: 'airless-test' }],
    ]);
    expect(await bucket.getEntry('nightly_report')).toMatchObject({
      active: true,
      schedules: [],
      schedule: null,
    });
  });

  it('refuses a dag_id whose state machine name would pass Step Functions’ 80 characters', async () => {
    const long = 'd'.repeat(62); // within the language's limit, too long for a long stage name
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'dags/long.yaml',
        Body: dagText('@daily').replace('nightly_report', long),
      }),
    );
    const prod = { ...deps, config: { ...CONFIG, stateMachinePrefix: 'airless-production-dag-' } };
    const result = await registerDagObject(prod, 'dags/long.yaml');
    expect(result.action === 'rejected' && result.diagnostics[0]).toMatch(
      /longer than Step Functions' 80 characters/,
    );
    expect(sfnCalls()).toEqual([]);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'dags/long.yaml' }));
  });

  it('@once gets a one-time schedule on first registration only; an update does not run it again', async () => {
    const arn = `${ACCOUNT_ARN}airless-test-backfill`;
    const once = (doc: string) =>
      `dag_id: backfill\nschedule: "@once"\ntasks:\n  start: { operator: empty, doc: ${doc} }\n`;
    sfn
      .on(DescribeStateMachineCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'no', $metadata: {} }));
    sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: arn, stateMachineVersionArn: `${arn}:1` });
    sfn.on(CreateStateMachineAliasCommand).resolves({});
    await upload('dags/backfill.yaml', once('first'));
    expect(schedulerCalls()).toEqual([
      [
        'CreateScheduleCommand',
        {
          ...scheduleInput('at(2026-11-21T10:01:00)', 'ENABLED', 'backfill'),
          Description: 'airless DAG backfill',
          ScheduleExpressionTimezone: 'UTC',
          Target: {
            ...scheduleInput('x').Target,
            Input: '{"dag_id":"backfill","logical_date":"<aws.scheduler.scheduled-time>"}',
          },
        },
      ],
    ]);
    sfn.reset();
    scheduler.reset();
    sfn.on(DescribeStateMachineCommand).resolves({ stateMachineArn: arn });
    sfn.on(UpdateStateMachineCommand).resolves({ stateMachineVersionArn: `${arn}:2` });
    sfn.on(UpdateStateMachineAliasCommand).resolves({});
    expect(await upload('dags/backfill.yaml', once('second'))).toMatchObject({ action: 'published' });
    expect(schedulerCalls()).toEqual([]);
  });

  it('a file that renames its dag_id retires the old DAG: its schedule is disabled, its machine kept', async () => {
    const arn = `${ACCOUNT_ARN}airless-test-renamed`;
    sfn
      .on(DescribeStateMachineCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'no', $metadata: {} }));
    sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: arn, stateMachineVersionArn: `${arn}:1` });
    sfn.on(CreateStateMachineAliasCommand).resolves({});
    const scheduled = dagText('@hourly').replace('nightly_report', 'original');
    await upload('dags/rename.yaml', scheduled);
    scheduler.reset();

    expect(await upload('dags/rename.yaml', scheduled.replace('original', 'renamed'))).toMatchObject({
      action: 'published',
      dag_id: 'renamed',
    });
    const calls = schedulerCalls();
    expect(
      calls.map(([name, input]) => [
        name,
        (input as { Name: string; State: string }).Name,
        (input as { State: string }).State,
      ]),
    ).toEqual([
      ['CreateScheduleCommand', 'renamed', 'ENABLED'],
      ['UpdateScheduleCommand', 'original', 'DISABLED'],
    ]);
    expect(await bucket.getEntry('original')).toMatchObject({ active: false });
    expect(await bucket.getEntry('renamed')).toMatchObject({ active: true, source_key: 'dags/rename.yaml' });
  });

  it('ignores objects that are not DAG files', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dags/README.md', Body: '# notes' }));
    expect(await registerDagObject(deps, 'dags/README.md')).toMatchObject({ action: 'ignored' });
    expect(sfnCalls()).toEqual([]);
  });
});

describe('register-dag: a DAG split into child state machines', () => {
  // 40 job tasks with long arguments: over 1 MB as one machine, so the compiler splits it.
  const wide = (doc: string) => {
    let text = `dag_id: wide\nschedule: "@daily"\nconnections:\n  genie: { type: none, host: 'http://genie.internal:8080' }\ndefault_args: { execution_timeout: 1h }\ntasks:\n  start: { operator: empty, doc: ${doc} }\n`;
    for (let i = 0; i < 40; i++)
      text += `  t${i}: { operator: genie, connection: genie, cluster_tags: [a], command_tags: [b], command_arguments: '${'x'.repeat(30_000)}', job_name: 'j${i}-{{ ds_nodash }}', depends_on: [start] }\n`;
    return text;
  };
  const PARENT = `${ACCOUNT_ARN}airless-test-wide`;
  const child = (n: number) => `${ACCOUNT_ARN}airless-test-wide-child-${n}`;
  const v1 = wide('first');
  const v2 = wide('second');
  let childCount = 0;

  /** Create/Update answer with version `version` of whichever machine was named. */
  function publishes(version: number, existing: boolean) {
    if (existing) sfn.on(DescribeStateMachineCommand).resolves({});
    else
      sfn
        .on(DescribeStateMachineCommand)
        .rejects(new StateMachineDoesNotExist({ message: 'no', $metadata: {} }));
    sfn.on(CreateStateMachineCommand).callsFake((input: { name: string }) => ({
      stateMachineArn: `${ACCOUNT_ARN}${input.name}`,
      stateMachineVersionArn: `${ACCOUNT_ARN}${input.name}:${version}`,
    }));
    sfn.on(UpdateStateMachineCommand).callsFake((input: { stateMachineArn: string }) => ({
      stateMachineVersionArn: `${input.stateMachineArn}:${version}`,
    }));
    sfn.on(CreateStateMachineAliasCommand).resolves({});
    sfn.on(UpdateStateMachineAliasCommand).resolves({});
  }

  it('creates and versions every child first, then the parent naming the children’s versions, then moves live', async () => {
    publishes(1, false);
    expect(await upload('dags/wide.yaml', v1)).toEqual({
      action: 'published',
      dag_id: 'wide',
      version_arn: `${PARENT}:1`,
    });
    const calls = sfnCalls();
    childCount = calls.filter(([, input]) =>
      /-child-\d+$/.test((input as { name?: string }).name ?? ''),
    ).length;
    expect(childCount).toBeGreaterThan(1);
    const names = calls.map(([command, input]) => [
      command,
      (input as { name?: string }).name ?? (input as { stateMachineArn?: string }).stateMachineArn,
    ]);
    expect(names).toEqual([
      ...Array.from({ length: childCount }, (_, i) => [
        ['DescribeStateMachineCommand', child(i + 1)],
        ['CreateStateMachineCommand', `airless-test-wide-child-${i + 1}`],
      ]).flat(),
      ['DescribeStateMachineCommand', PARENT],
      ['CreateStateMachineCommand', 'airless-test-wide'],
      ['CreateStateMachineAliasCommand', 'live'],
    ]);
    const creates = calls
      .filter(([command]) => command === 'CreateStateMachineCommand')
      .map(([, input]) => input as { definition: string; versionDescription: string; publish: boolean });
    for (const create of creates) {
      expect(create).toMatchObject({ publish: true, versionDescription: `wide sha256:${sha256(v1)}` });
      expect(Buffer.byteLength(create.definition)).toBeLessThanOrEqual(1_048_576);
      expect(create.definition).not.toMatch(/\$\{(TaskHandlerArn|GateHandlerArn|Child_\d+)\}/);
    }
    const parent = JSON.parse(creates.at(-1)!.definition) as object;
    const started = JSON.stringify(parent).match(/"StateMachineArn":"[^"]+"/g)!;
    expect(started.sort()).toEqual(
      Array.from({ length: childCount }, (_, i) => `"StateMachineArn":"${child(i + 1)}:1"`).sort(),
    );
    expect(calls.at(-1)![1]).toEqual({
      name: 'live',
      routingConfiguration: [{ stateMachineVersionArn: `${PARENT}:1`, weight: 100 }],
    });
    const entry = (await bucket.getEntry('wide'))!;
    expect(entry).toMatchObject({ version_arn: `${PARENT}:1`, alias_arn: `${PARENT}:live`, active: true });
    expect(entry.children).toEqual(
      Array.from({ length: childCount }, (_, i) => ({
        name: `airless-test-wide-child-${i + 1}`,
        state_machine_arn: child(i + 1),
        version_arn: `${child(i + 1)}:1`,
      })),
    );
    const stored = JSON.parse((await bucket.getText('compiled/wide.asl.json'))!);
    expect(Object.keys(stored.children)).toHaveLength(childCount);
    expect(JSON.stringify(stored.definition)).toContain(`${child(1)}:1`);
  });

  it('the same file again calls nothing', async () => {
    expect(await upload('dags/wide.yaml', v1)).toMatchObject({ action: 'unchanged' });
    expect(sfnCalls()).toEqual([]);
  });

  it('a failure while publishing leaves live and the registry entry where they were', async () => {
    const before = await bucket.getText('registry/wide.json');
    publishes(2, true);
    sfn.on(UpdateStateMachineCommand, { stateMachineArn: PARENT }).rejects(new Error('ThrottlingException'));
    await expect(upload('dags/wide.yaml', v2)).rejects.toThrow('ThrottlingException');
    const commands = sfnCalls().map(([command]) => command);
    expect(commands).not.toContain('UpdateStateMachineAliasCommand');
    expect(commands).not.toContain('CreateStateMachineAliasCommand');
    expect(await bucket.getText('registry/wide.json')).toBe(before);
  });

  it('a changed file updates every child, then the parent with the new child versions, then live', async () => {
    publishes(3, true);
    expect(await upload('dags/wide.yaml', v2)).toMatchObject({
      action: 'published',
      version_arn: `${PARENT}:3`,
    });
    const calls = sfnCalls();
    const updates = calls
      .filter(([command]) => command === 'UpdateStateMachineCommand')
      .map(
        ([, input]) => input as { stateMachineArn: string; definition: string; versionDescription: string },
      );
    expect(updates.map((u) => u.stateMachineArn)).toEqual([
      ...Array.from({ length: childCount }, (_, i) => child(i + 1)),
      PARENT,
    ]);
    for (const update of updates) expect(update.versionDescription).toBe(`wide sha256:${sha256(v2)}`);
    expect(updates.at(-1)!.definition).toContain(`${child(1)}:3`);
    expect(updates.at(-1)!.definition).not.toContain(`${child(1)}:1"`);
    expect(calls.at(-1)).toEqual([
      'UpdateStateMachineAliasCommand',
      {
        stateMachineAliasArn: `${PARENT}:live`,
        routingConfiguration: [{ stateMachineVersionArn: `${PARENT}:3`, weight: 100 }],
      },
    ]);
    expect((await bucket.getEntry('wide'))!.children![0]).toMatchObject({ version_arn: `${child(1)}:3` });
  });

  it('refuses a dag_id whose children’s names would pass 80 characters', async () => {
    // The parent's name fits (80), the children's (`-child-<n>` longer) do not.
    const prefix = 'airless-production-dag-';
    const id = 'w'.repeat(80 - prefix.length);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'dags/long-wide.yaml',
        Body: v1.replace('dag_id: wide', `dag_id: ${id}`),
      }),
    );
    const prod = { ...deps, config: { ...CONFIG, stateMachinePrefix: prefix } };
    const result = await registerDagObject(prod, 'dags/long-wide.yaml');
    expect(result.action === 'rejected' && result.diagnostics[0]).toMatch(/-child-\d+' is longer than/);
    expect(sfnCalls()).toEqual([]);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'dags/long-wide.yaml' }));
  });

  it('a removed file deactivates the DAG and keeps its children in the entry', async () => {
    expect(await upload('dags/wide.yaml', null)).toEqual({ action: 'deactivated', dag_id: 'wide' });
    expect(sfnCalls()).toEqual([]);
    const entry = (await bucket.getEntry('wide'))!;
    expect(entry.active).toBe(false);
    expect(entry.children).toHaveLength(childCount);
  });
});
