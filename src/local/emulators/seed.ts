import { z } from 'zod';
import type { RunningEmulators } from './index.ts';
import type { EmulatorOptions } from './options.ts';

/**
 * What the emulators hold before a run starts, for DAGs whose first task acts on a job that
 * already exists (an application-mode Flink job to savepoint, update or stop). A seeded job is
 * streaming: it runs until a task stops it. `airless run --seed` and `airless emulators --seed`
 * read this as JSON.
 */
export const seedSchema = z.strictObject({
  hdinsight_jobs: z
    .array(
      z.strictObject({
        /** The cluster's ARM id: /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.HDInsight/clusterpools/<p>/clusters/<c>. */
        cluster: z
          .string()
          .regex(
            /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.HDInsight\/clusterpools\/[^/]+\/clusters\/[^/]+$/i,
            'must be a cluster ARM id (/subscriptions/…/clusterpools/<pool>/clusters/<name>)',
          ),
        job_name: z.string().min(1).max(200),
        status: z.literal('RUNNING').default('RUNNING'),
        jar_directory: z.string().min(1).default('abfs://jars@seed.dfs.core.windows.net/jars'),
        jar_name: z.string().min(1).default('app.jar'),
        entry_class: z.string().min(1).default('App'),
      }),
    )
    .max(1000)
    .default([]),
});
export type EmulatorSeed = z.output<typeof seedSchema>;

/** Parses a seed, every problem as `seed.<path>: <message>`. */
export function parseSeed(value: unknown): { seed: EmulatorSeed } | { errors: string[] } {
  const parsed = seedSchema.safeParse(value);
  if (parsed.success) return { seed: parsed.data };
  return {
    errors: parsed.error.issues.map(
      (i) => `seed${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`,
    ),
  };
}

/** Emulator options a seed needs: its jobs run until stopped. */
export function seedOptions(seed: EmulatorSeed, options: EmulatorOptions = {}): EmulatorOptions {
  const streaming = seed.hdinsight_jobs.map((j) => ({ jobName: j.job_name, runSeconds: null }));
  return { ...options, jobs: [...streaming, ...(options.jobs ?? [])] };
}

/** Creates the seeded jobs and lets their start complete, as if they had been running a while. */
export function applySeed(emu: RunningEmulators, seed: EmulatorSeed): void {
  for (const job of seed.hdinsight_jobs) {
    emu.state.hdinsight.begin(job.cluster, {
      action: 'NEW',
      jobName: job.job_name,
      jobJarDirectory: job.jar_directory,
      jarName: job.jar_name,
      entryClass: job.entry_class,
    });
  }
  if (seed.hdinsight_jobs.length > 0) emu.clock.advance(60);
}
