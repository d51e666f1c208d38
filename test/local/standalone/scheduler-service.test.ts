import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { syncSchedules } from '../../../src/aws/registry/schedule-sync.ts';
import { scheduleTimes } from '../../../src/local/standalone/scheduler/schedule-times.ts';
import {
  type LocalScheduler,
  startSchedulerService,
} from '../../../src/local/standalone/scheduler/scheduler-service.ts';

const TARGET = {
  group: 'airless',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:scheduled-run',
  roleArn: 'arn:aws:iam::000000000000:role/scheduler',
};

const client = (s: LocalScheduler) =>
  new SchedulerClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const dirs: string[] = [];
const services: LocalScheduler[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(invoked: Array<{ arn: string; input: string }>, now?: () => Date, directory?: string) {
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'airless-scheduler-')));
  if (!directory) dirs.push(dir);
  const service = await startSchedulerService({
    directory: dir,
    invoke: async (arn, input) => void invoked.push({ arn, input }),
    ...(now ? { now } : {}),
  });
  services.push(service);
  return { service, dir };
}

describe('schedule times (EventBridge expressions)', () => {
  it('reads cron() with Quartz weekdays, ? and start/step, in the time zone', () => {
    const times = scheduleTimes('cron(0/15 9 ? * MON-FRI *)', 'Europe/Paris', new Date(0));
    // Friday 2026-12-04 10:00 Paris is past 9:xx; the next is Monday 2026-12-07 09:00 Paris (08:00Z).
    expect(times(new Date('2026-12-04T09:00:00Z'))?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
    expect(times(new Date('2026-12-07T08:00:00Z'))?.toISOString()).toBe('2026-12-07T08:15:00.000Z');
    // 6L: the last Friday (Sunday = 1).
    const last = scheduleTimes('cron(0 0 ? * 6L *)', 'UTC', new Date(0));
    expect(last(new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-25T00:00:00.000Z');
  });

  it('counts rate() from the creation and fires at() once', () => {
    const rate = scheduleTimes('rate(5 minutes)', 'UTC', new Date('2026-12-01T00:00:30Z'));
    expect(rate(new Date('2026-12-01T00:00:30Z'))?.toISOString()).toBe('2026-12-01T00:05:30.000Z');
    expect(rate(new Date('2026-12-01T00:07:00Z'))?.toISOString()).toBe('2026-12-01T00:10:30.000Z');
    const at = scheduleTimes('at(2026-12-01T10:00:00)', 'Europe/Paris', new Date(0));
    expect(at(new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(at(new Date('2026-12-01T09:00:00Z'))).toBeNull();
    expect(() => scheduleTimes('every day', 'UTC', new Date(0))).toThrow(/not a cron/);
  });
});

describe('local Scheduler service', () => {
  it('answers the registry through the real client and persists across a restart', async () => {
    const { service, dir } = await start([]);
    const scheduler = client(service);
    const made = await syncSchedules(
      scheduler,
      'etl',
      [{ name: 'etl', suffix: '', expression: 'cron(0 3 * * ? *)', timezone: 'UTC' }],
      [],
      TARGET,
    );
    expect(made.map((m) => m.name)).toEqual(['etl']);
    // Create over an existing one is a ConflictException, which syncSchedules turns into an update.
    await syncSchedules(scheduler, 'etl', made, [], TARGET);
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'etl', GroupName: 'airless' }));
    expect(got).toMatchObject({
      State: 'ENABLED',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      GroupName: 'airless',
    });
    expect(got.Target?.Input).toContain('<aws.scheduler.scheduled-time>');
    await scheduler.send(new UpdateScheduleCommand({ ...got, Name: 'etl', State: 'DISABLED' } as never));
    await service.close();
    services.splice(0);

    const again = await start([], undefined, dir);
    const listed = await client(again.service).send(new ListSchedulesCommand({ GroupName: 'airless' }));
    expect(listed.Schedules?.map((s) => [s.Name, s.State])).toEqual([['etl', 'DISABLED']]);
    await client(again.service).send(new DeleteScheduleCommand({ Name: 'etl', GroupName: 'airless' }));
    await expect(
      client(again.service).send(new GetScheduleCommand({ Name: 'etl', GroupName: 'airless' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('fires an ENABLED schedule at its time with the scheduled time in the input', async () => {
    const invoked: Array<{ arn: string; input: string }> = [];
    const { service } = await start(invoked);
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    await client(service).send(
      new CreateScheduleCommand({
        Name: 'soon',
        GroupName: 'airless',
        ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: TARGET.functionArn,
          RoleArn: TARGET.roleArn,
          Input: '{"t":"<aws.scheduler.scheduled-time>"}',
        },
      }),
    );
    await expect.poll(() => invoked.length, { timeout: 5000 }).toBe(1);
    expect(invoked[0]).toEqual({
      arn: TARGET.functionArn,
      input: `{"t":"${at.toISOString().replace('.000Z', 'Z')}"}`,
    });
  });

  it('delivers a tick missed while down when it is younger than the event age, and drops older ones', async () => {
    let clock = new Date('2026-12-01T00:00:00Z');
    const { service, dir } = await start([], () => clock);
    await client(service).send(
      new CreateScheduleCommand({
        Name: 'hourly',
        GroupName: 'airless',
        ScheduleExpression: 'cron(0 * * * ? *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: TARGET.functionArn,
          RoleArn: TARGET.roleArn,
          Input: '<aws.scheduler.scheduled-time>',
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        },
      }),
    );
    await service.close();
    services.splice(0);
    // Down from 00:00 to 03:30: the 01:00 and 02:00 ticks are too old, 03:00 is delivered.
    clock = new Date('2026-12-01T03:30:00Z');
    const invoked: Array<{ arn: string; input: string }> = [];
    await start(invoked, () => clock, dir);
    await expect.poll(() => invoked.map((i) => i.input), { timeout: 5000 }).toEqual(['2026-12-01T03:00:00Z']);
  });
});
