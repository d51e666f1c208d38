import { describe, expect, it } from 'vitest';
import type { JobRef, TaskSpec } from '../../src/handlers/contract.ts';
import { jobUrl } from '../../src/runs/job-links.ts';

const task = (operator: TaskSpec['operator'], config: Record<string, unknown>, host?: unknown): TaskSpec =>
  ({
    task_id: 't',
    operator,
    config,
    wait_for: 'FINISHED',
    connection:
      host === undefined
        ? null
        : { name: 'c', type: host === null ? 'none' : 'genie_basic', fields: host === null ? {} : { host } },
    secrets: null,
  }) as TaskSpec;
const job = (operator: JobRef['operator'], jobId: string | null, jobName = 'load-r1-1'): JobRef => ({
  operator,
  job_name: jobName,
  job_id: jobId,
  handle: {},
  submitted_at: '2026-11-21T12:00:00Z',
});

describe('jobUrl', () => {
  it('links a Flink job to its dashboard page, from the task endpoint or the connection host', () => {
    expect(jobUrl(task('flink.rest', { endpoint: 'http://jm:8081/' }), job('flink.rest', 'abc'))).toBe(
      'http://jm:8081/#/job/running/abc/overview',
    );
    expect(
      jobUrl(
        task('flink.rest', { endpoint: 'http://other:1' }, 'https://flink.example/base'),
        job('flink.rest', 'abc'),
      ),
    ).toBe('https://flink.example/base/#/job/running/abc/overview');
  });

  it('links a Genie job to its job resource', () => {
    expect(jobUrl(task('genie', {}, 'https://genie.example'), job('genie', 'j-1'))).toBe(
      'https://genie.example/api/v3/jobs/j-1',
    );
  });

  it('gives an HDInsight job its ARM resource id', () => {
    const cluster = { subscription: 's1', resource_group: 'rg', pool: 'p', name: 'c' };
    expect(jobUrl(task('flink.hdinsight', { cluster }), job('flink.hdinsight', null, 'load-r1-1'))).toBe(
      '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.HDInsight/clusterpools/p/clusters/c/jobs/load-r1-1',
    );
  });

  it('gives no link for a templated or unsafe base, a secret host, or a job without an id', () => {
    expect(jobUrl(task('flink.rest', { endpoint: '{{ params.url }}' }), job('flink.rest', 'a'))).toBeNull();
    expect(
      jobUrl(task('flink.rest', { endpoint: 'javascript:alert(1)' }), job('flink.rest', 'a')),
    ).toBeNull();
    expect(jobUrl(task('genie', {}, { secret: 'h' }), job('genie', 'a'))).toBeNull();
    expect(jobUrl(task('flink.rest', { endpoint: 'http://jm:8081' }), job('flink.rest', null))).toBeNull();
    const templated = { subscription: '{{ conf.sub }}', resource_group: 'rg', pool: 'p', name: 'c' };
    expect(jobUrl(task('flink.hdinsight', { cluster: templated }), job('flink.hdinsight', null))).toBeNull();
  });
});
