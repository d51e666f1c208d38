import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scheduleTimes } from './schedule-times.ts';
import { type ScheduleRecord, ScheduleStore } from './schedule-store.ts';

/**
 * A local EventBridge Scheduler: the REST-JSON operations the registry uses (CreateSchedule,
 * UpdateSchedule, GetSchedule, DeleteSchedule, ListSchedules) on loopback for the real
 * @aws-sdk/client-scheduler, persisted under `directory`, and a timer that fires every ENABLED
 * schedule at its times by calling `invoke(targetArn, input)` in process, with
 * `<aws.scheduler.scheduled-time>` in the input replaced by the tick's time. A failed invocation is
 * retried as the target's RetryPolicy says. Ticks missed while the service was down are delivered
 * on start when they are younger than the policy's MaximumEventAgeInSeconds, as EventBridge
 * delivers late; older ones are dropped.
 */
export interface SchedulerServiceOptions {
  directory: string;
  invoke: (targetArn: string, input: string) => Promise<void>;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface LocalScheduler {
  endpoint: string;
  schedules(): ScheduleRecord[];
  close(): Promise<void>;
}

const REGION_ACCOUNT = 'us-east-1:000000000000';
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const MAX_BODY = 256 * 1024;
/** Longest sleep of the fire loop: timers beyond it are re-armed, so clock jumps are caught. */
const MAX_SLEEP_MS = 30_000;
const MAX_BACKOFF_MS = 60_000;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
/** `<aws.scheduler.scheduled-time>` as EventBridge renders it: `2026-12-03T18:00:00Z`. */
const scheduledTime = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function startSchedulerService(options: SchedulerServiceOptions): Promise<LocalScheduler> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const store = await ScheduleStore.open(options.directory);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const busy = new Set<string>();

  const timesOf = (r: ScheduleRecord) =>
    scheduleTimes(r.ScheduleExpression, r.ScheduleExpressionTimezone, new Date(r.CreationDate * 1000));
  const nextOf = (r: ScheduleRecord): Date | null => {
    if (r.State !== 'ENABLED') return null;
    const next = timesOf(r)(new Date(Math.max(r.cursor, (r.StartDate ?? 0) * 1000)));
    if (next === null || (r.EndDate !== undefined && next.getTime() > r.EndDate * 1000)) return null;
    return next;
  };

  async function deliver(record: ScheduleRecord, at: Date): Promise<void> {
    const policy = record.Target.RetryPolicy ?? {};
    const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? 86_400) * 1000;
    const maxRetries = policy.MaximumRetryAttempts ?? 185;
    for (let attempt = 0; !closed; attempt++) {
      const input = (record.Target.Input ?? '{}')
        .split('<aws.scheduler.scheduled-time>')
        .join(scheduledTime(at))
        .split('<aws.scheduler.schedule-arn>')
        .join(record.Arn)
        .split('<aws.scheduler.attempt-number>')
        .join(String(attempt + 1));
      try {
        await options.invoke(record.Target.Arn, input);
        return;
      } catch (error) {
        const wait = Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS);
        if (attempt >= maxRetries || now().getTime() + wait - at.getTime() > maxAgeMs) {
          log(`schedule ${record.Name}: tick ${scheduledTime(at)} dropped: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Delivers every due tick of one schedule, oldest first, moving its cursor past each. */
  async function fire(key: string): Promise<void> {
    busy.add(key);
    try {
      for (;;) {
        const [group, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
        const record = store.get(group, name);
        const next = record ? nextOf(record) : null;
        if (!record || next === null || next.getTime() > now().getTime() || closed) return;
        const maxAgeMs = (record.Target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
        if (now().getTime() - next.getTime() <= maxAgeMs) await deliver(record, next);
        // The record may have been replaced while it was delivered; move the cursor of what is stored now.
        const current = store.get(group, name);
        if (current && current.cursor < next.getTime()) {
          current.cursor = next.getTime();
          await store.save();
        }
      }
    } finally {
      busy.delete(key);
    }
  }

  function arm(): void {
    if (closed) return;
    clearTimeout(timer);
    let soonest = now().getTime() + MAX_SLEEP_MS;
    for (const record of store.all()) {
      const key = `${record.GroupName}/${record.Name}`;
      const next = nextOf(record);
      if (next === null || busy.has(key)) continue;
      if (next.getTime() <= now().getTime()) {
        void fire(key)
          .catch((e: unknown) => log(`schedule ${record.Name}: ${String(e)}`))
          .finally(arm);
      } else soonest = Math.min(soonest, next.getTime());
    }
    timer = setTimeout(arm, Math.max(0, soonest - now().getTime()));
  }

  function record(name: string, body: Record<string, unknown>, previous?: ScheduleRecord): ScheduleRecord {
    const group = typeof body.GroupName === 'string' && body.GroupName !== '' ? body.GroupName : 'default';
    const expression = body.ScheduleExpression;
    const target = body.Target as ScheduleRecord['Target'] | undefined;
    if (typeof expression !== 'string')
      throw new ApiError(400, 'ValidationException', 'ScheduleExpression is required');
    if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string')
      throw new ApiError(400, 'ValidationException', 'Target with Arn and RoleArn is required');
    const flexible = body.FlexibleTimeWindow as ScheduleRecord['FlexibleTimeWindow'] | undefined;
    if (!flexible || typeof flexible.Mode !== 'string')
      throw new ApiError(400, 'ValidationException', 'FlexibleTimeWindow is required');
    const timezone =
      typeof body.ScheduleExpressionTimezone === 'string' ? body.ScheduleExpressionTimezone : 'UTC';
    const at = now();
    try {
      scheduleTimes(expression, timezone, at);
    } catch (error) {
      throw new ApiError(
        400,
        'ValidationException',
        `Invalid Schedule Expression ${expression}: ${(error as Error).message}`,
      );
    }
    const state = body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
    const created = previous?.CreationDate ?? seconds(at);
    return {
      Arn: `arn:aws:scheduler:${REGION_ACCOUNT}:schedule/${group}/${name}`,
      Name: name,
      GroupName: group,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: timezone,
      State: state,
      ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
      ...(typeof body.StartDate === 'number' ? { StartDate: body.StartDate } : {}),
      ...(typeof body.EndDate === 'number' ? { EndDate: body.EndDate } : {}),
      FlexibleTimeWindow: flexible,
      ActionAfterCompletion:
        typeof body.ActionAfterCompletion === 'string' ? body.ActionAfterCompletion : 'NONE',
      Target: target,
      CreationDate: created,
      LastModificationDate: seconds(at),
      // An update starts counting from now: ticks before it belonged to the old definition.
      cursor: previous ? Math.max(previous.cursor, at.getTime()) : created * 1000,
    };
  }

  const view = ({ cursor: _cursor, ...schedule }: ScheduleRecord): Omit<ScheduleRecord, 'cursor'> => schedule;

  async function handle(method: string, url: URL, body: Record<string, unknown>): Promise<unknown> {
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (parts[0] !== 'schedules' || parts.length > 2)
      throw new ApiError(404, 'ResourceNotFoundException', 'Not found');
    if (parts.length === 1) {
      if (method !== 'GET') throw new ApiError(405, 'ValidationException', 'Method not allowed');
      const group = url.searchParams.get('ScheduleGroup');
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const state = url.searchParams.get('State');
      const max = Math.min(Number(url.searchParams.get('MaxResults') ?? 100) || 100, 100);
      const start = Number(url.searchParams.get('NextToken') ?? 0) || 0;
      const matching = store
        .all()
        .filter(
          (s) =>
            (group === null || s.GroupName === group) &&
            s.Name.startsWith(prefix) &&
            (state === null || s.State === state),
        );
      const page = matching.slice(start, start + max);
      return {
        Schedules: page.map((s) => ({
          Arn: s.Arn,
          Name: s.Name,
          GroupName: s.GroupName,
          State: s.State,
          CreationDate: s.CreationDate,
          LastModificationDate: s.LastModificationDate,
          Target: { Arn: s.Target.Arn },
        })),
        ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
      };
    }
    const name = decodeURIComponent(parts[1]!);
    if (!NAME.test(name)) throw new ApiError(400, 'ValidationException', `Invalid schedule name '${name}'`);
    const group =
      url.searchParams.get('groupName') ?? (typeof body.GroupName === 'string' ? body.GroupName : 'default');
    const existing = store.get(group, name);
    switch (method) {
      case 'POST': {
        if (existing) throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
        const created = record(name, body);
        await store.put(created);
        arm();
        return { ScheduleArn: created.Arn };
      }
      case 'PUT': {
        if (!existing)
          throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        const updated = record(name, body, existing);
        await store.put(updated);
        arm();
        return { ScheduleArn: updated.Arn };
      }
      case 'GET':
        if (!existing)
          throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        return view(existing);
      case 'DELETE':
        if (!existing)
          throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        await store.delete(group, name);
        return {};
      default:
        throw new ApiError(405, 'ValidationException', 'Method not allowed');
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = (status: number, payload: unknown, type?: string) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(type ? { 'x-amzn-errortype': type } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      void (async () => {
        try {
          if (size > MAX_BODY) throw new ApiError(413, 'ValidationException', 'Request body too large');
          const text = Buffer.concat(chunks).toString('utf8');
          const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
          reply(200, await handle(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost'), body));
        } catch (error) {
          if (error instanceof ApiError) reply(error.status, { Message: error.message }, error.type);
          else if (error instanceof SyntaxError)
            reply(400, { Message: 'Body is not JSON' }, 'ValidationException');
          else reply(500, { Message: String(error) }, 'InternalServerException');
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  arm();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    schedules: () => store.all(),
    async close() {
      closed = true;
      clearTimeout(timer);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await store.save();
    },
  };
}
