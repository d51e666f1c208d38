import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbRunStore } from '../../aws/dynamodb-run-store.ts';
import { onExecutionFinished, runStateOf } from '../../aws/run-finished.ts';
import { advanceBackfills } from '../../runs/backfill.ts';
import { catchupRuns } from '../../runs/catchup.ts';
import type { RunDeps } from '../../aws/run-queue.ts';
import { onScheduleTick } from '../../aws/run-triggers.ts';
import { DagBucket } from '../../aws/registry/dag-bucket.ts';
import { registerDagObject, type RegistryDeps } from '../../aws/registry/register-dag.ts';
import { AwsApiBackend } from '../../aws/api-backend.ts';
import { DynamoDbBackfillStore } from '../../aws/dynamodb-backfill-store.ts';
import { handleTask } from '../../handlers/task.ts';
import { apiRouter } from '../../runs/api/router.ts';
import { DynamoDbGateStore } from '../../aws/dynamodb-gate-store.ts';
import { SfnTaskTokens } from '../../aws/sfn-task-tokens.ts';
import {
  airlessFunctions,
  LOCAL_GATE_HANDLER_ARN,
  LOCAL_TASK_HANDLER_ARN,
} from '../aws/sfn-service/airless-functions.ts';
import { LocalSfnService } from '../aws/sfn-service/service.ts';
import { recoverRuns, runOfInput } from './restart.ts';
import type { EmulatorOptions } from '../emulators/index.ts';
import { startHandlerEnvironment } from '../handler-environment.ts';
import { ConsoleProgress } from './console-progress.ts';
import { watchDags } from './dag-watcher.ts';
import {
  DAG_BUCKET,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  RUNS_TABLE,
  startEmbeddedStores,
} from './embedded-stores.ts';
import { isLoopback } from './api-guard.ts';
import { apiIndexSite, type StaticSite, startHttpServer, uiSite } from './http-server.ts';
import { SCHEDULE_GROUP, STANDALONE_ARNS, STATE_MACHINE_PREFIX, taskFunction } from './lambdas.ts';
import { startSchedulerService } from './scheduler/scheduler-service.ts';

/**
 * `airless standalone`: the AWS control plane, unchanged, on embedded services that keep their
 * state under one directory. The DAG folder is the upload bucket (dag-watcher.ts), registration is
 * registerDagObject, runs go through the run queue and its DynamoDB store (dynalite), state machines
 * run in the local Step Functions service with the real task and gate handlers in process, schedules
 * in the local Scheduler service, and the Airflow REST API v2 router answers on one HTTP port.
 */
export interface StandaloneOptions {
  dags: string;
  port: number;
  host?: string;
  /** The API's bearer token; required to listen beyond loopback (see api-guard.ts). */
  token?: string | undefined;
  state: string;
  /** Which file names in the DAG folder are DAGs. */
  isDagFile: (name: string) => boolean;
  /** Where console lines go (stdout by default). */
  print?: (line: string) => void;
  /** The built-in emulators' options (unless AIRLESS_EMULATORS=off). */
  emulators?: EmulatorOptions;
  /** The UI's assets; a page listing the API otherwise. */
  site?: StaticSite;
  watchIntervalMs?: number;
}

export interface RunningStandalone {
  url: string;
  close(): Promise<void>;
}

const ENGINE_LABEL = 'aws (standalone: local Step Functions service)';

export async function startStandalone(options: StandaloneOptions): Promise<RunningStandalone> {
  const print = options.print ?? ((line: string) => console.log(line));
  if (options.token === undefined && !isLoopback(options.host ?? '127.0.0.1')) {
    throw new Error(
      `serving beyond this machine (--host ${options.host}) needs an API token: set AIRLESS_API_TOKEN`,
    );
  }
  const state = resolve(options.state);
  await mkdir(state, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const env = await startHandlerEnvironment(print, options.emulators);
    closers.push(() => env.close());
    const stores = await startEmbeddedStores(state);
    closers.push(() => stores.close());
    const progress = new ConsoleProgress(print, ENGINE_LABEL);
    const bucket = new DagBucket(stores.s3, DAG_BUCKET);
    const now = () => new Date();

    // The run deps need the SFN client, the SFN service needs the run-finished hook: bound late.
    const late: { runDeps?: RunDeps; tokens?: SfnTaskTokens; backend?: AwsApiBackend } = {};
    const resuming = new Set<string>();
    const sfnService = new LocalSfnService({
      directory: join(state, 'sfn'),
      functions: {
        ...airlessFunctions({
          handlers: env.deps,
          gates: new DynamoDbGateStore(stores.dynamodb, RUNS_TABLE),
          tokens: () => late.tokens!,
        }),
        // The real task handler too, its calls printed on the console.
        [LOCAL_TASK_HANDLER_ARN]: taskFunction(env.deps, progress),
      },
      onExecutionStatusChange: async (event) => {
        if (event.detail.status === 'RUNNING' || !late.runDeps) return;
        const run = runOfInput(event.detail.input);
        if (run && !resuming.has(event.detail.executionArn))
          progress.finished(run.dag_id, run.run_id, runStateOf(event.detail.status, event.detail.output));
        await onExecutionFinished(late.runDeps, event, async (dagId) =>
          late.backend ? advanceBackfills(late.backend, dagId) : undefined,
        );
      },
      onError: (error) => print(`run-finished: ${error instanceof Error ? error.message : String(error)}`),
    });
    const sfnEndpoint = await sfnService.listen();
    closers.push(() => sfnService.close());
    const sfnClient = new SFNClient({
      endpoint: sfnEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    late.tokens = new SfnTaskTokens(sfnClient);
    const deps: RunDeps = {
      store: new DynamoDbRunStore(stores.dynamodb, RUNS_TABLE),
      bucket,
      sfn: sfnClient,
      now,
      log: (message, fields) => print(`${message} ${JSON.stringify(fields)}`),
    };
    late.runDeps = deps;

    const scheduler = await startSchedulerService({
      directory: join(state, 'scheduler'),
      invoke: async (arn, input) => {
        if (arn !== STANDALONE_ARNS.scheduledRun) throw new Error(`no function ${arn} in standalone`);
        const outcome = await onScheduleTick(deps, JSON.parse(input));
        if (outcome.kind === 'created') print(`scheduled run ${outcome.run.run_id} of ${outcome.run.dag_id}`);
      },
      log: print,
    });
    closers.push(() => scheduler.close());
    const registryDeps: RegistryDeps = {
      bucket,
      sfn: sfnClient,
      scheduler: new SchedulerClient({
        endpoint: scheduler.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      now,
      config: {
        stateMachinePrefix: STATE_MACHINE_PREFIX,
        stateMachineArnPrefix: STANDALONE_ARNS.stateMachineArnPrefix,
        workflowRoleArn: STANDALONE_ARNS.workflowRole,
        taskHandlerArn: LOCAL_TASK_HANDLER_ARN,
        gateHandlerArn: LOCAL_GATE_HANDLER_ARN,
        scheduler: {
          group: SCHEDULE_GROUP,
          functionArn: STANDALONE_ARNS.scheduledRun,
          roleArn: STANDALONE_ARNS.schedulerRole,
        },
      },
    };

    const backend = (late.backend = new AwsApiBackend({
      ...deps,
      backfills: new DynamoDbBackfillStore(stores.dynamodb, RUNS_TABLE),
      scheduler: registryDeps.scheduler,
      schedulerTarget: registryDeps.config.scheduler,
      cancelJob: (invocation) => handleTask(invocation, env.deps),
    }));

    const watcher = await watchDags({
      directory: resolve(options.dags),
      bucket,
      register: async (key) => {
        const registration = await registerDagObject(registryDeps, key);
        // catchup: true creates the runs of the intervals missed before this version was registered.
        const dag = registration.action === 'published' ? await backend.getDag(registration.dag_id) : null;
        if (dag) await catchupRuns(backend, dag, now());
        return registration;
      },
      isDagFile: options.isDagFile,
      print,
      ...(options.watchIntervalMs !== undefined ? { intervalMs: options.watchIntervalMs } : {}),
    });
    closers.push(() => watcher.close());
    await watcher.settled();

    await recoverRuns({ service: sfnService, sfn: sfnClient, runDeps: deps, backend, resuming, print });
    const http = await startHttpServer({
      port: options.port,
      ...(options.host !== undefined ? { host: options.host } : {}),
      api: apiRouter(backend),
      token: options.token,
      site: options.site ?? uiSite() ?? apiIndexSite,
    });
    closers.push(() => http.close());
    print(
      `airless standalone: API on ${http.url}/api/v2/, DAGs from ${resolve(options.dags)}, state in ${state}`,
    );
    return { url: http.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}
