import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from './durations.ts';

/** Building blocks of the DAG schema's fields, shared by the DAG-level schema and every operator's fields. */

export const NonEmpty = z.string().min(1);

/** Editor help in the JSON Schema: a description, and the default the IR applies (not the parser). */
export const about = <T extends z.ZodType>(schema: T, description: string, defaultValue?: unknown): T =>
  schema.meta(defaultValue === undefined ? { description } : { description, default: defaultValue });

export const Duration = z.union(
  [
    z.number().nonnegative(),
    z.string().regex(new RegExp(DURATION_PATTERN), { error: `expected ${DURATION_HINT}` }),
  ],
  { error: `expected ${DURATION_HINT}` },
);
/** A duration that must be more than zero (polling intervals, timeouts); one the union rejected is not judged again. */
export const PositiveDuration = Duration.refine((v) => (parseDuration(v) ?? 1) > 0, {
  error: 'must be greater than zero',
});

export const StringOrList = z.union([z.string(), z.array(z.string())], {
  error: 'expected a string or a list of strings',
});

/** A number, or a string that is a template rendering to one at run time. */
export const IntOrTemplate = z.union([z.int().positive(), z.string().includes('{{')], {
  error: 'expected a positive integer or a {{ template }}',
});

/** An http(s) endpoint after rendering; anything else (file:, javascript:, relative) is refused. */
export const HttpEndpoint = z.string().regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
  error: 'must be an http(s) URL without query or fragment',
});
