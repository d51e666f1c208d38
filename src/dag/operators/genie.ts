import { z } from 'zod';
import { parseDuration } from '../durations.ts';
import { about, HttpEndpoint, NonEmpty, PositiveDuration, StringOrList } from '../field-types.ts';
import type { OperatorDefinition } from './definition.ts';

const TagList = z.array(NonEmpty).min(1);

/** A job through Genie 3's REST API (Spark, Hive, ... whatever its commands run). */
export const genie = {
  name: 'genie',
  fields: {
    endpoint: about(
      NonEmpty,
      "Base URL of the Genie server, e.g. http://genie:8080, for a connection without credentials; else the connection's host.",
    ).optional(),
    cluster_tags: about(
      z.union([TagList, z.array(TagList).min(1)], {
        error: 'expected a list of tags, or a list of tag lists tried in order',
      }),
      'Tags of one cluster criterion, or a list of criteria tried in order.',
    ),
    command_tags: about(TagList, 'Tags choosing the command, e.g. [type:spark-submit].'),
    command_arguments: about(StringOrList, 'Arguments to the command.').optional(),
    dependencies: about(z.array(NonEmpty), 'Files Genie downloads into the job directory.').optional(),
    setup_file: about(NonEmpty, 'A script Genie sources before the command.').optional(),
    job_name: about(NonEmpty, 'The Genie job name.').optional(),
    timeout: about(PositiveDuration, "Genie's own job timeout: Genie kills the job after it.").optional(),
  },
  rendered: {
    endpoint: HttpEndpoint.optional(),
    job_name: z.string().min(1).max(255).optional(),
    /** The compiled config holds seconds; Genie takes whole seconds. */
    timeout: z
      .union([z.number(), z.string()])
      .transform((v, ctx) => {
        const seconds = parseDuration(v);
        if (seconds === undefined || seconds < 1) {
          ctx.addIssue({ code: 'custom', message: 'expected a duration of at least 1s' });
          return z.NEVER;
        }
        return Math.ceil(seconds);
      })
      .optional(),
  },
  job: true,
  outputs: ['cluster_name', 'command_name', 'job_id', 'job_name', 'status', 'status_msg'],
  connectionTypes: ['genie_basic', 'none'],
  /** `cluster_tags` always a list of tag lists (criteria in order), `timeout` a number of seconds. */
  compileConfig(config) {
    const tags = config.cluster_tags as string[] | string[][];
    config.cluster_tags = tags.every((t) => typeof t === 'string') ? [tags] : tags;
    if (config.timeout !== undefined) config.timeout = parseDuration(config.timeout as string | number);
  },
} as const satisfies OperatorDefinition<'genie'>;
