import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const seconds = z.number().nonnegative();
/** First path segments other services own, so no JobManager may be mounted there. */
const RESERVED_PATHS = ['genie', 'secrets', 'subscriptions', 'metadata', '_admin'];
const genieResource = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  tags: z.array(z.string().min(1)),
  /** Clusters: UP (others are never chosen). Commands: ACTIVE (others are never chosen). */
  status: z.string().optional(),
});

/**
 * Options of `startEmulators`, checked strictly so a typo fails loudly. Every field is optional.
 * Durations are emulated seconds unless the name says real.
 */
export const emulatorOptionsSchema = z.strictObject({
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Emulated seconds per real second: 1000 makes an emulated second last 1 ms. */
  timeScale: z.number().positive().default(1000),
  /** The tenant and app registration the token endpoint accepts. */
  tenantId: z.string().min(1).default('7b1f6c2e-5d4a-4c1b-9e8f-a1b2c3d4e5f6'),
  clientId: z.string().min(1).default('3c9d0a4e-1f2b-4a6c-8d7e-0f1e2d3c4b5a'),
  /** Client id of the one managed identity the IMDS endpoint serves. */
  managedIdentityClientId: z.string().min(1).default('5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'),
  /** Generated per start unless given, so leak checks can search for it. */
  clientSecret: z.string().min(1).optional(),
  /** Real seconds an issued token stays valid. */
  tokenLifetimeSeconds: z.number().int().positive().default(3600),
  /**
   * Key Vault secrets by name. Added to the defaults, which serve dags/flink_wordcount's
   * connection: hdinsight-aks-variables-{tenant-id,api-client-id,api-secret}.
   */
  secrets: z.record(z.string().regex(/^[0-9a-zA-Z-]{1,127}$/), z.string()).default({}),
  /** Run length per job name (glob), first match wins; others run `defaultJobRunSeconds`. */
  jobs: z.array(z.strictObject({ jobName: z.string().min(1), runSeconds: seconds.nullable() })).default([]),
  /** How long a started job runs before FINISHED / SUCCEEDED; null: until stopped. */
  defaultJobRunSeconds: seconds.nullable().default(30),
  hdinsight: z
    .strictObject({
      /** Known clusters as ARM ids; empty: every cluster id exists. */
      clusters: z.array(z.string().startsWith('/subscriptions/')).default([]),
      pageSize: z.number().int().positive().default(10),
      actionSeconds: seconds.default(5),
      retryAfterSeconds: seconds.default(10),
      checkpointIntervalSeconds: z.number().positive().default(10),
    })
    .prefault({}),
  flink: z
    .strictObject({
      /** One JobManager per name, mounted at `/<name>` (and `/<name>/v1`). */
      jobManagers: z
        .array(
          z
            .string()
            .regex(/^[a-z][a-z0-9-]*$/)
            .refine((n) => !RESERVED_PATHS.includes(n), 'this path belongs to another emulated service'),
        )
        .min(1)
        .default(['flink']),
      startSeconds: seconds.default(2),
      savepointSeconds: seconds.default(3),
      checkpointIntervalSeconds: z.number().positive().default(10),
      /** `state.savepoints.dir`; null makes a savepoint without target directory fail, like Flink. */
      savepointDirectory: z.string().nullable().default('file:///tmp/flink-savepoints'),
    })
    .prefault({}),
  genie: z
    .strictObject({
      clusters: z.array(genieResource).default([
        {
          id: 'emr-batch-01',
          name: 'emr-batch',
          tags: ['emr.cluster.role:batch', 'type:yarn', 'sched:default'],
        },
        { id: 'emr-adhoc-01', name: 'emr-adhoc', tags: ['emr.cluster.role:adhoc', 'type:yarn'] },
      ]),
      commands: z.array(genieResource).default([
        { id: 'spark-submit-2.4.3', name: 'spark-submit', tags: ['type:spark-submit', 'version:2.4.3'] },
        { id: 'hive-2.3.6', name: 'hive', tags: ['type:hive', 'version:2.3.6'] },
      ]),
      /** HTTP Basic users (name -> password) for genie_basic connections; empty: no auth. */
      users: z.record(z.string().min(1), z.string()).default({}),
      acceptSeconds: seconds.default(1),
      initSeconds: seconds.default(2),
    })
    .prefault({}),
});

export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type ResolvedOptions = z.output<typeof emulatorOptionsSchema> & { clientSecret: string };

export function resolveOptions(input: EmulatorOptions = {}): ResolvedOptions {
  const parsed = emulatorOptionsSchema.parse(input);
  return { ...parsed, clientSecret: parsed.clientSecret ?? `emu~${randomBytes(24).toString('base64url')}` };
}

export const KEY_VAULT_VARIABLES_PREFIX = 'hdinsight-aks-variables';
