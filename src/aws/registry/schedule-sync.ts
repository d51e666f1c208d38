import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { ScheduleEntry } from './dag-bucket.ts';
import type { EventBridgeSchedule } from './schedule-expression.ts';

export interface SchedulerTarget {
  group: string;
  /** The scheduled-run Lambda: it starts the run through the same queue as the API. */
  functionArn: string;
  /** Role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
}

/** `<aws.scheduler.scheduled-time>` is replaced by the tick's time: the run's logical_date. */
export const scheduledRunInput = (dagId: string): string =>
  JSON.stringify({ dag_id: dagId, logical_date: '<aws.scheduler.scheduled-time>' });

function definition(
  dagId: string,
  schedule: ScheduleEntry,
  target: SchedulerTarget,
  state: 'ENABLED' | 'DISABLED',
): CreateScheduleCommandInput {
  return {
    Name: schedule.name,
    GroupName: target.group,
    Description: `airless DAG ${dagId}`,
    ScheduleExpression: schedule.expression,
    ScheduleExpressionTimezone: schedule.timezone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: state,
    ActionAfterCompletion: 'NONE',
    Target: {
      Arn: target.functionArn,
      RoleArn: target.roleArn,
      Input: scheduledRunInput(dagId),
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    },
  };
}

export const scheduleEntries = (dagId: string, schedules: EventBridgeSchedule[]): ScheduleEntry[] =>
  schedules.map((s) => ({ ...s, name: `${dagId}${s.suffix}` }));

/**
 * Makes the DAG's schedules in EventBridge Scheduler what `desired` says: update the ones that
 * exist, create the new ones, delete the ones no longer wanted. A `@once` at() schedule that
 * already exists is kept as it is, so re-registering the DAG does not run it again.
 */
export async function syncSchedules(
  scheduler: SchedulerClient,
  dagId: string,
  desired: ScheduleEntry[],
  existing: ScheduleEntry[],
  target: SchedulerTarget,
  state: 'ENABLED' | 'DISABLED' = 'ENABLED',
): Promise<ScheduleEntry[]> {
  const result: ScheduleEntry[] = [];
  for (const schedule of desired) {
    const current = existing.find((e) => e.name === schedule.name);
    if (current && current.expression.startsWith('at(') && schedule.expression.startsWith('at(')) {
      result.push(current);
      continue;
    }
    const input = definition(dagId, schedule, target, state);
    if (current) {
      await scheduler.send(new UpdateScheduleCommand(input));
    } else {
      try {
        await scheduler.send(new CreateScheduleCommand(input));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        await scheduler.send(new UpdateScheduleCommand(input));
      }
    }
    result.push(schedule);
  }
  for (const old of existing.filter((e) => !desired.some((d) => d.name === e.name))) {
    try {
      await scheduler.send(new DeleteScheduleCommand({ Name: old.name, GroupName: target.group }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
  return result;
}

/**
 * Disables (a DAG whose file was removed, or paused) or enables (unpaused) every schedule of a DAG;
 * the definitions stay.
 */
export async function setSchedulesState(
  scheduler: SchedulerClient,
  dagId: string,
  existing: ScheduleEntry[],
  target: SchedulerTarget,
  state: 'ENABLED' | 'DISABLED',
): Promise<void> {
  for (const schedule of existing) {
    try {
      await scheduler.send(new UpdateScheduleCommand(definition(dagId, schedule, target, state)));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
