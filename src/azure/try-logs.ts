import type { ContainerClient } from '@azure/storage-blob';
import { runInstanceId, type HandlerEnvelope } from './contract.ts';
import type { JobRef, TaskInvocation } from '../handlers/contract.ts';
import type { TaskTry } from '../runs/api/backend.ts';

export type TryLogLine = TaskTry['log'][number];

/** Output shown in a log line is cut here: the line says what happened, the outputs are elsewhere. */
const OUTPUT_TEXT_MAX = 512;

/**
 * One append blob per try of a task: `logs/<dag_id>/<run instance>/<task_id>/<try>.jsonl`. Try
 * numbers continue across re-runs of a cleared task, so (dag, run, task, try) names one try.
 */
export const tryLogName = (dagId: string, runId: string, taskId: string, tryNumber: number): string =>
  `logs/${dagId}/${runInstanceId(dagId, runId)}/${taskId}/${tryNumber}.jsonl`;

const jobText = (job: JobRef): string =>
  job.job_id === null || job.job_id === job.job_name
    ? `job ${job.job_name}`
    : `job ${job.job_name} (id ${job.job_id})`;

/** What one handler call did, as a log line: the op, the job, the outcome or the error. */
export function describeCall(invocation: TaskInvocation, envelope: HandlerEnvelope, at: Date): TryLogLine {
  const timestamp = at.toISOString();
  const { op } = invocation;
  if (!envelope.ok) {
    const { name, message } = envelope.error;
    if (op === 'poll' && name === 'StillRunning') {
      return { timestamp, level: 'info', event: `poll ${jobText(invocation.job!)}: ${message}` };
    }
    const on = invocation.job === undefined ? '' : ` ${jobText(invocation.job)}`;
    return { timestamp, level: 'error', event: `${op}${on} failed: ${name}: ${message}` };
  }
  if (op === 'submit') {
    const { job } = envelope.result as { job: JobRef };
    return { timestamp, level: 'info', event: `submit: ${jobText(job)} submitted` };
  }
  const output = JSON.stringify((envelope.result as { output?: unknown } | null)?.output ?? null);
  const shown = output.length > OUTPUT_TEXT_MAX ? `${output.slice(0, OUTPUT_TEXT_MAX)}...` : output;
  return { timestamp, level: 'info', event: `${op} ${jobText(invocation.job!)}: done, output ${shown}` };
}

/** The try logs in the state container: written by the handler activity, read by the API. */
export class BlobTryLogs {
  constructor(private readonly container: ContainerClient) {}

  /** Appends what a handler call did to its try's log; a log that cannot be written never fails the call. */
  async append(invocation: TaskInvocation, envelope: HandlerEnvelope, at: Date): Promise<void> {
    const name = tryLogName(
      invocation.run.dag_id,
      invocation.run.run_id,
      invocation.task.task_id,
      invocation.try_number,
    );
    const text = `${JSON.stringify(describeCall(invocation, envelope, at))}\n`;
    try {
      const blob = this.container.getAppendBlobClient(name);
      await blob.createIfNotExists();
      await blob.appendBlock(text, Buffer.byteLength(text));
    } catch (e) {
      console.error(JSON.stringify({ event: 'try_log_failed', blob: name, error: (e as Error).message }));
    }
  }

  async read(dagId: string, runId: string, taskId: string, tryNumber: number): Promise<TryLogLine[]> {
    try {
      const text = (
        await this.container.getBlobClient(tryLogName(dagId, runId, taskId, tryNumber)).downloadToBuffer()
      ).toString('utf8');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as TryLogLine);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return [];
      throw e;
    }
  }
}
