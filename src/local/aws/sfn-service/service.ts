import type { Server } from 'node:http';
import { type ArnScope, DEFAULT_SCOPE } from './arns.ts';
import { SfnError, optional, required, validation } from './errors.ts';
import { type ExecutionRecord, Executions, type InterruptedExecution } from './executions.ts';
import { Journal } from './journal.ts';
import { functionResolver, type LambdaFunction } from './lambda-calls.ts';
import { StateMachines } from './machines.ts';
import { type Operation, serveOperations } from './protocol.ts';
import { type StatusChangeEvent, statusChangeEvent } from './status-change.ts';
import { ServiceTokens } from './tokens.ts';
import { TaskTokenError } from '../task-tokens.ts';

export interface LocalSfnOptions {
  /** The Lambda functions task states call, by function ARN or name: the real handlers, in-process. */
  functions?: Record<string, LambdaFunction>;
  /** Where state machines, executions and histories are kept across restarts; in memory without it. */
  directory?: string;
  /** Retry and Wait delays: real (the default, it is a service) or skipped. */
  delays?: 'real' | 'instant';
  /** Time stamps of records and history events. */
  clock?: () => Date;
  /** The region and account of the ARNs it makes (us-east-1, 000000000000). */
  scope?: ArnScope;
  /**
   * EventBridge's status-change event, on start (RUNNING) and end of every execution, as the
   * deployed stack routes it to the run-finished Lambda. Awaited before whenEnded resolves; a throw
   * goes to `onError`.
   */
  onExecutionStatusChange?: (event: StatusChangeEvent) => void | Promise<void>;
  /** Errors no API call can answer with (a listener's throw, a failed write); console.error by default. */
  onError?: (error: unknown) => void;
}

/**
 * A local AWS Step Functions service: the Step Functions API (AWS JSON 1.0) on 127.0.0.1 for the
 * real @aws-sdk/client-sfn, executions run in the patched aws-local-stepfunctions with the given
 * functions as Lambdas. See src/local/aws/README.md.
 */
export class LocalSfnService {
  readonly machines: StateMachines;
  readonly executions: Executions;
  readonly tokens = new ServiceTokens();
  readonly #notified = new Map<string, Promise<void>>();
  #server: Server | null = null;

  constructor(private readonly options: LocalSfnOptions = {}) {
    const scope = options.scope ?? DEFAULT_SCOPE;
    const clock = options.clock ?? (() => new Date());
    const now = () => clock().getTime();
    const journal = options.directory ? new Journal(options.directory) : null;
    this.machines = new StateMachines(scope, now, journal);
    this.executions = new Executions({
      scope,
      now,
      journal,
      machines: this.machines,
      runner: {
        resolve: functionResolver(options.functions ?? {}),
        tokens: this.tokens,
        delays: options.delays ?? 'real',
        region: scope.region,
      },
      onStatus: (record) => this.#statusChanged(scope, now, record),
      onError: (error) => (options.onError ?? console.error)(error),
    });
  }

  #statusChanged(scope: ArnScope, now: () => number, record: ExecutionRecord): void {
    const listener = this.options.onExecutionStatusChange;
    if (!listener) return;
    const event = statusChangeEvent(scope, record, now());
    const before = this.#notified.get(record.executionArn) ?? Promise.resolve();
    const after = before
      .then(() => listener(event))
      .catch((error: unknown) => (this.options.onError ?? console.error)(error));
    this.#notified.set(record.executionArn, after);
    if (record.status !== 'RUNNING') {
      void after.then(() => {
        if (this.#notified.get(record.executionArn) === after) this.#notified.delete(record.executionArn);
      });
    }
  }

  /** The Step Functions operations, by the name X-Amz-Target carries. */
  readonly operations: Record<string, Operation> = {
    CreateStateMachine: (b) => this.machines.create(b),
    UpdateStateMachine: (b) => this.machines.update(b),
    DescribeStateMachine: (b) => this.machines.describe(b),
    DeleteStateMachine: (b) => this.machines.delete(b),
    PublishStateMachineVersion: (b) => this.machines.publish(b),
    ListStateMachineVersions: (b) => this.machines.listVersions(b),
    CreateStateMachineAlias: (b) => this.machines.createAlias(b),
    UpdateStateMachineAlias: (b) => this.machines.updateAlias(b),
    DescribeStateMachineAlias: (b) => this.machines.describeAlias(b),
    StartExecution: (b) => this.executions.start(b),
    DescribeExecution: (b) => this.executions.describe(b),
    StopExecution: (b) => this.executions.stop(b),
    ListExecutions: (b) => this.executions.list(b),
    GetExecutionHistory: (b) => this.executions.history(b),
    SendTaskSuccess: (b) =>
      this.#token(async () => {
        const text = required(b, 'output');
        let output: unknown;
        try {
          output = JSON.parse(text);
        } catch {
          throw new SfnError('InvalidOutput', 'the output is not JSON');
        }
        await this.tokens.sendTaskSuccess(required(b, 'taskToken'), output);
      }),
    SendTaskFailure: (b) =>
      this.#token(() =>
        this.tokens.sendTaskFailure(
          required(b, 'taskToken'),
          optional(b, 'error') ?? '',
          optional(b, 'cause') ?? '',
        ),
      ),
    SendTaskHeartbeat: (b) => this.#token(async () => this.tokens.heartbeat(required(b, 'taskToken'))),
  };

  async #token(action: () => Promise<void>): Promise<Record<string, never>> {
    try {
      await action();
      return {};
    } catch (error) {
      if (error instanceof TaskTokenError) {
        throw error.name === 'ValidationException'
          ? validation(error.message)
          : new SfnError(error.name, error.message);
      }
      throw error;
    }
  }

  /** Starts serving on 127.0.0.1; the endpoint for `new SFNClient({ endpoint })`. */
  async listen(port = 0): Promise<string> {
    if (this.#server) throw new Error('the service is already listening');
    const { server, url } = await serveOperations(this.operations, port);
    this.#server = server;
    return url;
  }

  /**
   * Local only, not an AWS operation: executions a previous process on the same directory left
   * RUNNING. Nothing runs them; `airless standalone` resumes them (see the README), and
   * StopExecution ends one as ABORTED.
   */
  interruptedExecutions(): InterruptedExecution[] {
    return this.executions.interrupted();
  }

  /** Local only: resolves once the execution ended and its status-change event was handled. */
  async whenEnded(executionArn: string): Promise<void> {
    await this.executions.whenEnded(executionArn);
    await this.#notified.get(executionArn);
  }

  /**
   * Stops serving. Running executions stop where they are, with nothing more written: to a later
   * instance on the same directory they are interrupted, as after a crash.
   */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await this.executions.detach();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
