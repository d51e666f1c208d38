import { describe, expect, it } from 'vitest';
import { jobPlace, jobUrl } from '../../src/runs/job-links.ts';

const job = (operator: 'flink.rest' | 'genie' | 'flink.hdinsight', job_id: string | null = 'j 1') => ({
  operator,
  job_id,
  job_name: 'n',
});

describe('links to a job in its own UI', () => {
  it('Flink REST: the dashboard job page on the service (override, then connection host, then endpoint)', () => {
    const config = { endpoint: 'https://flink.example.com/' };
    expect(jobUrl(job('flink.rest'), jobPlace('flink.rest', config, undefined))).toBe(
      'https://flink.example.com/#/job/running/j%201/overview',
    );
    expect(jobUrl(job('flink.rest'), jobPlace('flink.rest', config, 'https://conn.example.com'))).toBe(
      'https://conn.example.com/#/job/running/j%201/overview',
    );
    const overridden = jobPlace('flink.rest', config, 'https://conn.example.com', {
      flink: 'http://127.0.0.1:8081',
    });
    expect(jobUrl(job('flink.rest'), overridden)).toBe('http://127.0.0.1:8081/#/job/running/j%201/overview');
  });

  it('Genie: the job page; no link without an id or a literal place', () => {
    expect(
      jobUrl(job('genie', 'abc'), jobPlace('genie', { endpoint: 'https://genie.example.com' }, undefined)),
    ).toBe('https://genie.example.com/jobs?id=abc');
    expect(
      jobUrl(job('genie', null), jobPlace('genie', { endpoint: 'https://genie.example.com' }, undefined)),
    ).toBeNull();
    expect(jobUrl(job('genie'), jobPlace('genie', { endpoint: '{{ conf.genie }}' }, undefined))).toBeNull();
    expect(
      jobUrl(job('genie'), jobPlace('genie', { endpoint: 'javascript:alert(1)' }, undefined)),
    ).toBeNull();
    expect(jobUrl(job('genie'), jobPlace('genie', {}, { secret: 'genie-host' }))).toBeNull();
  });

  it('HDInsight on AKS: the cluster ARM resource id, only from literal, safe names', () => {
    const cluster = { subscription: 's1', resource_group: 'rg', pool: 'p', name: 'c' };
    expect(jobUrl(job('flink.hdinsight'), jobPlace('flink.hdinsight', { cluster }, undefined))).toBe(
      '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.HDInsight/clusterpools/p/clusters/c/jobs/n',
    );
    expect(
      jobUrl(
        { ...job('flink.hdinsight'), job_name: '../n' },
        jobPlace('flink.hdinsight', { cluster }, undefined),
      ),
    ).toBe('/subscriptions/s1/resourceGroups/rg/providers/Microsoft.HDInsight/clusterpools/p/clusters/c');
    const walked = { ...cluster, name: '../x' };
    expect(
      jobUrl(job('flink.hdinsight'), jobPlace('flink.hdinsight', { cluster: walked }, undefined)),
    ).toBeNull();
  });
});
