import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_ENV_KEYS } from '../../src/aws/lambda/deployment.ts';
import { compileDag } from '../../src/aws/registry/compile-dag.ts';

/*
 * `npm run package:aws` once for this file (bundling and `serverless package` take several
 * seconds), in a temporary output folder, with no AWS credentials, a throwaway HOME and every
 * non-loopback DNS lookup or connection recorded; then the CloudFormation template is checked.
 */
const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const STAGE = 'ci';
const PREFIX = `airless-${STAGE}`;

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
let resources: Record<string, Resource>;
let templateText: string;
let networkLog: string;
let work: string;
const SOURCE_DATE_EPOCH = 1_795_000_000;
const sentinel = `kept-by-test-${process.pid}`;
const GATED_ASL = {
  StartAt: 'wait',
  States: {
    wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${GateHandlerArn}', Payload: { op: 'wait', 'token.$': '$$.Task.Token' } },
      Next: 'end',
    },
    end: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${GateHandlerArn}', Payload: { op: 'end' } },
      End: true,
    },
  },
};
/** A split DAG's bundle as `airless compile --target aws` writes one: a parent starting two children. */
const childCall = (n: number) => ({
  StartAt: `dag.child.${n}`,
  States: {
    [`dag.child.${n}`]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: `\${Child_${n}}`,
        Input: { 'run.$': '$.run', 'run_key.$': '$.run_key' },
      },
      End: true,
    },
  },
});
const SPLIT_BUNDLE = {
  definition: {
    StartAt: 'dag.children',
    States: { 'dag.children': { Type: 'Parallel', Branches: [childCall(1), childCall(2)], End: true } },
  },
  children: { Child_1: GATED_ASL, Child_2: GATED_ASL },
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'airless-package-'));
  // The GitOps path, with a real compiled ASL of an example DAG.
  const machines = join(work, 'statemachines');
  await run('mkdir', ['-p', machines, join(work, 'home')]);
  const text = await readFile(join(root, 'dags', 'flink_wordcount.yaml'), 'utf8');
  const compiled = compileDag(text, 'dags/flink_wordcount.yaml', new Date(0));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  await writeFile(join(machines, 'flink_wordcount.asl.json'), compiled.asl);
  // A gate as the compiler emits one: a callback on the gate handler, and an end report.
  await writeFile(join(machines, 'gated.asl.json'), JSON.stringify(GATED_ASL));
  await writeFile(join(machines, 'split.asl.json'), JSON.stringify(SPLIT_BUNDLE));

  const logFile = join(work, 'network.log');
  await writeFile(logFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(work, 'home'),
    NODE_OPTIONS: `--require ${join(import.meta.dirname, 'record-network.cjs')}`,
    AIRLESS_NETWORK_LOG: logFile,
    AIRLESS_STATEMACHINES_DIR: machines,
    // Fixed here because others may commit while this runs; without it the last commit's time is used.
    SOURCE_DATE_EPOCH: String(SOURCE_DATE_EPOCH),
  };
  const out = join(work, 'out');
  // A package already in the default .serverless/ survives packaging elsewhere.
  await run('mkdir', ['-p', join(root, '.serverless')]);
  await writeFile(join(root, '.serverless', sentinel), 'kept\n');
  await run(process.execPath, [join(root, 'scripts', 'package-aws.js'), '--stage', STAGE, '--out', out], {
    cwd: root,
    env,
  });
  templateText = await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  resources = (JSON.parse(templateText) as { Resources: Record<string, Resource> }).Resources;
  networkLog = await readFile(logFile, 'utf8');
}, 240_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(join(root, '.serverless', sentinel), { force: true });
});

it('leaves the default .serverless/ alone when packaging to --out', async () => {
  expect(await readFile(join(root, '.serverless', sentinel), 'utf8')).toBe('kept\n');
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

/** Every policy statement in the template: role inline policies and bucket policies. */
function statements(): Array<{ where: string; statement: Statement }> {
  const found: Array<{ where: string; statement: Statement }> = [];
  for (const [id, r] of ofType('AWS::IAM::Role')) {
    for (const policy of (r.Properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>) {
      for (const statement of policy.PolicyDocument.Statement) found.push({ where: id, statement });
    }
  }
  for (const [id, r] of ofType('AWS::S3::BucketPolicy')) {
    const document = r.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) found.push({ where: id, statement });
  }
  return found;
}

describe('npm run package:aws', () => {
  it('made no network attempt', () => {
    expect(networkLog).toBe('');
  });

  it('names the artifact folder after the source date (commit time), not the wall clock: a deterministic template', () => {
    const lambda = resources.TaskLambdaFunction!.Properties.Code as { S3Key: string };
    const ms = SOURCE_DATE_EPOCH * 1000;
    expect(lambda.S3Key).toBe(`serverless/airless/${STAGE}/${ms}-${new Date(ms).toISOString()}/task.zip`);
  });

  it('puts IAM authorisation on every HTTP API route', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['ANY /api/v2/{proxy+}']);
    for (const route of routes) expect(['AWS_IAM', 'JWT']).toContain(route.AuthorizationType);
  });

  it('lets the API pause (its registry entries, its schedule group, passing only the scheduler role), read import errors and histories, and stop only this stage’s runs', () => {
    expect(resources.ApiLambdaFunction!.Properties.Role).toEqual({ 'Fn::GetAtt': ['ApiRole', 'Arn'] });
    const api = (
      resources.ApiRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    const grant = (action: string) =>
      api
        .filter((s) => ([] as string[]).concat(s.Action).includes(action))
        .map((s) =>
          JSON.stringify({ Resource: s.Resource, Condition: (s as { Condition?: unknown }).Condition }),
        );
    expect(grant('s3:PutObject')).toEqual([
      JSON.stringify({ Resource: { 'Fn::Sub': '${DagBucket.Arn}/registry/*' } }),
    ]);
    expect(grant('s3:GetObject')[0]).toContain('${DagBucket.Arn}/errors/*');
    expect(grant('s3:ListBucket')[0]).toContain('"s3:prefix":["registry/*","errors/*"]');
    expect(grant('scheduler:UpdateSchedule')).toEqual([
      JSON.stringify({
        Resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ScheduleGroup}/*',
        },
      }),
    ]);
    expect(grant('scheduler:CreateSchedule')).toEqual([]);
    expect(grant('iam:PassRole')).toEqual([
      JSON.stringify({
        Resource: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
    for (const action of ['states:GetExecutionHistory', 'states:StopExecution'])
      expect(grant(action)[0]).toContain(`execution:${PREFIX}-dag-*`);
    // The Lambdas that only start or end runs cannot stop one or read a secret; runFinished reads
    // executions of this stage's machines only (backfills reprocess from task instances).
    const runs = JSON.stringify(resources.RunsRole!.Properties);
    for (const action of ['states:StopExecution', 'secretsmanager:GetSecretValue'])
      expect(runs).not.toContain(action);
    expect(runs).toContain(`execution:${PREFIX}-dag-*`);
  });

  it('grants no wildcard action and no unscoped resource', () => {
    const logicalIds = Object.keys(resources);
    const allows = statements().filter((s) => s.statement.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(10);
    for (const { where, statement } of allows) {
      for (const action of ([] as string[]).concat(statement.Action)) {
        expect(action, `${where}: ${action}`).not.toContain('*');
      }
      const targets = ([] as unknown[]).concat(statement.Resource);
      for (const target of targets) {
        const text = JSON.stringify(target);
        expect(target, `${where}: resource '*'`).not.toBe('*');
        // Scoped to this stage's names, to a resource of this template, or to the secrets prefix.
        // The rule Step Functions manages for `.sync` executions is AWS's own name, not this stage's.
        const scoped =
          text.includes(PREFIX) ||
          text.endsWith(':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}') ||
          text.includes('airflow/variables/') ||
          logicalIds.some((id) => text.includes(`"${id}"`) || text.includes(`\${${id}`));
        expect(scoped, `${where}: ${text}`).toBe(true);
      }
    }
  });

  it('keeps the only Deny, serverless’ TLS-only rule on its deployment bucket, and nothing else broad', () => {
    const denies = statements().filter((s) => s.statement.Effect === 'Deny');
    expect(denies.map((d) => d.where)).toEqual(['ServerlessDeploymentBucketPolicy']);
    expect(JSON.stringify(denies[0]!.statement)).toContain('"aws:SecureTransport":false');
  });

  it('lets register-dag create and move only its own state machines, pass only its two roles, touch only its schedule group', () => {
    const text = JSON.stringify(resources.RegistryRole!.Properties);
    expect(text).toContain(`stateMachine:${PREFIX}-dag-*`);
    expect(text).toContain('"iam:PassedToService":"states.amazonaws.com"');
    expect(text).toContain('"iam:PassedToService":"scheduler.amazonaws.com"');
    expect(text).toContain('schedule/${ScheduleGroup}/*');
    expect(text).not.toContain('states:DeleteStateMachine');
  });

  it('bundles every Lambda for the current Node runtime with a log group and retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ApiLambdaFunction',
      'DataTriggerLambdaFunction',
      'GateLambdaFunction',
      'RegisterDagLambdaFunction',
      'RunFinishedLambdaFunction',
      'ScheduledRunLambdaFunction',
      'TaskLambdaFunction',
    ]);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties.Handler, id).toMatch(/^\.airless\/bundles\/[a-z-]+\/index\.handler$/);
      const logGroup = resources[id.replace('LambdaFunction', 'LogGroup')]!;
      expect(logGroup.Properties.RetentionInDays, id).toBe(30);
    }
    expect(resources.RegisterDagLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('routes DAG bucket events under dags/ to register-dag, and every ending status to run-finished', () => {
    expect(resources.DagBucket!.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const rules = ofType('AWS::Events::Rule').map(
      ([, r]) => r.Properties as { EventPattern: unknown; Targets: unknown },
    );
    const ruleFor = (fn: string) => rules.find((r) => JSON.stringify(r.Targets).includes(fn))!.EventPattern;
    expect(ruleFor('RegisterDagLambdaFunction')).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created', 'Object Deleted'],
      detail: { bucket: { name: [{ Ref: 'DagBucket' }] }, object: { key: [{ prefix: 'dags/' }] } },
    });
    expect(ruleFor('RunFinishedLambdaFunction')).toMatchObject({
      source: ['aws.states'],
      detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
  });

  it('deploys the repository’s compiled DAGs as state machines wired to the task handler (the GitOps path)', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.map(([, m]) => m.Properties.StateMachineName).sort()).toEqual([
      `${PREFIX}-repo-flink_wordcount`,
      `${PREFIX}-repo-gated`,
      `${PREFIX}-repo-split`,
      `${PREFIX}-repo-split-child-1`,
      `${PREFIX}-repo-split-child-2`,
    ]);
    const [, machine] = machines.find(
      ([, m]) => m.Properties.StateMachineName === `${PREFIX}-repo-flink_wordcount`,
    )!;
    expect(machine.Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['WorkflowRole', 'Arn'] });
    const [body, params] = (
      machine.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
    )['Fn::Sub'];
    expect(body).not.toContain('TaskHandlerArn');
    const tasks = Object.values(
      (JSON.parse(body) as { States: Record<string, { Type: string; Resource?: string }> }).States,
    ).filter((state) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const param = /^\$\{(\w+)\}$/.exec(task.Resource ?? '')?.[1];
      expect(params[param!]).toEqual({ 'Fn::GetAtt': ['TaskLambdaFunction', 'Arn'] });
    }
  });

  it('wires ${GateHandlerArn} to the gate function, callbacks included', () => {
    const [, machine] = ofType('AWS::StepFunctions::StateMachine').find(
      ([, m]) => m.Properties.StateMachineName === `${PREFIX}-repo-gated`,
    )!;
    const [body, params] = (
      machine.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
    )['Fn::Sub'];
    expect(body).not.toContain('GateHandlerArn');
    const states = (JSON.parse(body) as { States: Record<string, { Parameters: { FunctionName: string } }> })
      .States;
    for (const state of Object.values(states)) {
      const param = /^\$\{(\w+)\}$/.exec(state.Parameters.FunctionName)?.[1];
      expect(params[param!]).toEqual({ 'Fn::GetAtt': ['GateLambdaFunction', 'Arn'] });
    }
  });

  it('deploys a split DAG as its parent and children, the parent starting the children by reference', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    const named = (name: string) => machines.find(([, m]) => m.Properties.StateMachineName === name)!;
    const [, parent] = named(`${PREFIX}-repo-split`);
    const [body, params] = (
      parent.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
    )['Fn::Sub'];
    expect(body).not.toContain('Child_');
    const calls = JSON.stringify(JSON.parse(body)).match(/"StateMachineArn":"\$\{(\w+)\}"/g)!;
    expect(calls).toHaveLength(2);
    const targets = calls.map((c) => params[/\$\{(\w+)\}/.exec(c)![1]!] as { Ref: string });
    expect(targets.map((t) => resources[t.Ref]!.Properties.StateMachineName)).toEqual([
      `${PREFIX}-repo-split-child-1`,
      `${PREFIX}-repo-split-child-2`,
    ]);
    for (const n of [1, 2]) {
      const [, child] = named(`${PREFIX}-repo-split-child-${n}`);
      expect(child.Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['WorkflowRole', 'Arn'] });
      const [, childParams] = (
        child.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
      )['Fn::Sub'];
      expect(Object.values(childParams)).toContainEqual({ 'Fn::GetAtt': ['GateLambdaFunction', 'Arn'] });
    }
  });

  it('lets the workflow role run and follow only this stage’s child machines (startExecution.sync:2)', () => {
    const policies = resources.WorkflowRole!.Properties.Policies as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>;
    const all = policies.flatMap((p) => p.PolicyDocument.Statement);
    const grant = (action: string) => all.filter((s) => ([] as string[]).concat(s.Action).includes(action));
    const arns = (action: string) => grant(action).flatMap((s) => ([] as unknown[]).concat(s.Resource));
    const sub = (tail: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${tail}` });
    const machines = (kind: string) =>
      ['dag', 'repo'].map((p) =>
        sub(`states:\${AWS::Region}:\${AWS::AccountId}:${kind}:${PREFIX}-${p}-*-child-*`),
      );
    expect(arns('states:StartExecution')).toEqual(machines('stateMachine'));
    for (const action of ['states:DescribeExecution', 'states:StopExecution'])
      expect(arns(action)).toEqual(machines('execution').map((m) => ({ 'Fn::Sub': `${m['Fn::Sub']}:*` })));
    for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'])
      expect(arns(action)).toEqual([
        sub(
          'events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
        ),
      ]);
    // The gate wakes tasks in children too: their names fall under the same stage prefixes.
    const children = ofType('AWS::StepFunctions::StateMachine')
      .map(([, m]) => m.Properties.StateMachineName as string)
      .filter((n) => n.includes('-child-'));
    expect(children.length).toBeGreaterThan(0);
    for (const name of children) expect(name.startsWith(`${PREFIX}-repo-`)).toBe(true);
  });

  it('lets the state machines invoke the gate, and the gate wake only this stage’s machines and use only the runs table', () => {
    const invoke = JSON.stringify(resources.WorkflowRole!.Properties);
    expect(invoke).toContain(`function:${PREFIX}-gate`);
    const gate = (
      resources.GateRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    const byAction = (prefix: string) =>
      gate.filter((s) => ([] as string[]).concat(s.Action)[0]!.startsWith(prefix));
    const [states] = byAction('states:');
    expect(byAction('states:')).toHaveLength(1);
    expect(([] as string[]).concat(states!.Action).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
    expect(JSON.stringify(states!.Resource)).toBe(
      JSON.stringify([
        {
          'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${PREFIX}-dag-*`,
        },
        {
          'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${PREFIX}-repo-*`,
        },
      ]),
    );
    const [table] = byAction('dynamodb:');
    expect(byAction('dynamodb:')).toHaveLength(1);
    expect(table!.Resource).toEqual({ 'Fn::GetAtt': ['RunsTable', 'Arn'] });
    expect(([] as string[]).concat(table!.Action).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(gate.map((s) => ([] as string[]).concat(s.Action)[0]!.split(':')[0]).sort()).toEqual([
      'dynamodb',
      'logs',
      'states',
    ]);
    expect(resources.GateLambdaFunction!.Properties.Role).toEqual({ 'Fn::GetAtt': ['GateRole', 'Arn'] });
    expect(resources.RunsTable!.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expires_at',
      Enabled: true,
    });
  });

  it('ships bundles that load with no node_modules around them, as in Lambda', async () => {
    const lambda = join(work, 'lambda');
    for (const name of [
      'task',
      'gate',
      'register-dag',
      'api',
      'scheduled-run',
      'data-trigger',
      'run-finished',
    ]) {
      const dir = join(lambda, name);
      await cp(join(root, '.airless', 'bundles', name), dir, { recursive: true });
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler)"],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      );
      expect(stdout.trim(), name).toBe('function');
    }
  });

  it('carries no secret value: only names and ARNs in function environments', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort(), id).toEqual(DEPLOYMENT_ENV_KEYS);
    }
    expect(templateText).not.toMatch(/secret_value|client_secret"\s*:\s*"/i);
  });
});
