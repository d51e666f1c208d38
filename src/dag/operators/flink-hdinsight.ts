import { z } from 'zod';
import { about, NonEmpty } from '../field-types.ts';
import { actionNames, type ActionRule, type OperatorDefinition } from './definition.ts';

const JAR_FIELDS = ['jar_directory', 'jar_name', 'entry_class', 'args', 'flink_configuration'];

/** The HDInsight on AKS Flink job actions (runJob) and the fields each needs and uses. */
const actions = {
  NEW: { needs: [['jar_directory'], ['jar_name'], ['entry_class']], uses: ['args', 'flink_configuration'] },
  UPDATE: { needs: [], uses: [...JAR_FIELDS, 'savepoint_name'] },
  STATELESS_UPDATE: { needs: [], uses: JAR_FIELDS },
  LAST_STATE_UPDATE: { needs: [], uses: [] },
  STOP: { needs: [], uses: [], endsJob: true },
  START: { needs: [], uses: ['savepoint_name'] },
  SAVEPOINT: { needs: [], uses: [] },
  LIST_SAVEPOINT: { needs: [], uses: [] },
  CANCEL: { needs: [], uses: [], endsJob: true },
  DELETE: { needs: [], uses: [], endsJob: true },
  RE_LAUNCH: { needs: [], uses: [] },
} satisfies Record<string, ActionRule>;

export type FlinkAction = keyof typeof actions;
export const HDINSIGHT_ACTIONS = actionNames(actions);

/** HDInsight on AKS ARM api-version: the newest published one (adds LAST_STATE_UPDATE, RE_LAUNCH). */
export const HDINSIGHT_API_VERSION = '2024-05-01-preview';

const HdinsightCluster = z.strictObject({
  subscription: NonEmpty,
  resource_group: NonEmpty,
  pool: NonEmpty,
  name: NonEmpty,
});

/** A Flink job on an HDInsight on AKS cluster, driven through ARM's runJob. */
export const flinkHdinsight = {
  name: 'flink.hdinsight',
  fields: {
    action: about(z.enum(HDINSIGHT_ACTIONS), 'The HDInsight on AKS Flink job action (runJob).'),
    cluster: HdinsightCluster,
    job_name: about(NonEmpty, 'The Flink job name: lowercase letters, digits and -.'),
    jar_directory: about(NonEmpty, 'abfs:// directory holding the jar (NEW, updates).').optional(),
    jar_name: about(NonEmpty, 'Jar file name in jar_directory (NEW, updates).').optional(),
    entry_class: about(NonEmpty, 'Main class (NEW, updates).').optional(),
    args: about(z.string(), 'Program arguments, one space-separated string.').optional(),
    savepoint_name: about(
      NonEmpty,
      'Savepoint to start from (START, UPDATE); default the last one.',
    ).optional(),
    flink_configuration: z
      .record(z.string(), z.string({ error: 'flink_configuration values must be strings (quote them: "2")' }))
      .optional(),
    api_version: about(
      NonEmpty,
      'ARM api-version of the HDInsight on AKS API.',
      HDINSIGHT_API_VERSION,
    ).optional(),
  },
  rendered: {
    api_version: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, {
        error: 'expected an api-version such as 2024-05-01-preview',
      })
      .optional(),
  },
  job: true,
  outputs: [
    'action',
    'action_result',
    'job_id',
    'job_name',
    'job_output',
    'last_savepoint',
    'run_id',
    'savepoints',
    'status',
  ],
  connectionTypes: ['azure_client_credentials', 'azure_managed_identity', 'azure_default'],
  actions,
  compileConfig(config) {
    config.api_version ??= HDINSIGHT_API_VERSION;
  },
  notes: [
    "The jar is not uploaded by airless: `jar_directory` is an `abfs://` directory in the cluster's",
    'storage account and `jar_name` a file in it; put the jar there before the run (for example',
    '`az storage fs file upload`). The cluster reads it when the action runs.',
  ],
} as const satisfies OperatorDefinition<'flink.hdinsight', z.ZodRawShape, z.ZodRawShape, FlinkAction>;
