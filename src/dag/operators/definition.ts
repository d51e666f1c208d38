import { z } from 'zod';
import type { ConnectionType } from '../vocabulary.ts';

/**
 * Which fields a Flink action needs and which it uses. A field an action does not use is an error:
 * it would be silently dropped on the wire, which hides a mistake (flink-job-apis.md §1.3-1.4, §2).
 */
export interface ActionRule {
  /** Each entry is required; an entry with several names means exactly one of them. */
  needs: ReadonlyArray<readonly string[]>;
  /** Optional fields the action uses. */
  uses: readonly string[];
  /** The action ends the job: waiting for RUNNING afterwards can never succeed. */
  endsJob?: boolean;
}

/**
 * One operator, defined once. The DAG schema (schema.ts), the IR's operator names, the handler's
 * config check (configSchema) and the operator reference (operator-reference.ts) all derive from it.
 * Every string inside an operator field is a `{{ }}` template the handler renders at run time.
 */
export interface OperatorDefinition<
  Name extends string = string,
  Fields extends z.ZodRawShape = z.ZodRawShape,
  Rendered extends z.ZodRawShape = z.ZodRawShape,
  Action extends string = string,
> {
  name: Name;
  /** The operator's own task fields as the DAG file writes them, documented with about(). */
  fields: Fields;
  /** Checks a field's value gets after its templates are rendered, where stricter than `fields`. */
  rendered: Rendered;
  /** A job operator takes a connection, wait_for and the polling fields. */
  job: boolean;
  /** What `{{ tasks.<id>.output.<field> }}` may read: the handler returns these, nothing else. */
  outputs: readonly string[];
  /** Connection types that can authenticate it. */
  connectionTypes: readonly ConnectionType[];
  /** Per `action`: the fields it needs and uses (only for operators with an action field). */
  actions?: Readonly<Record<Action, ActionRule>>;
  /**
   * Normalises a task's compiled config (TaskIR.config) in place, so a handler has one form to
   * read: defaults applied, alternative shapes made one.
   */
  compileConfig?: (config: Record<string, unknown>) => void;
  /** Paragraphs for the operator reference, beyond what the fields say. */
  notes?: readonly string[];
}

/** The action names of a rule table, in its order, as a tuple z.enum takes. */
export const actionNames = <A extends string>(rules: Readonly<Record<A, ActionRule>>): [A, ...A[]] =>
  Object.keys(rules) as [A, ...A[]];

/**
 * What the handler checks a task's config against once its templates are rendered: the operator's
 * fields, with the stricter run-time checks where it has them. Unknown keys are ignored (the
 * compiled config also holds fields every task has).
 */
export const configSchema = <F extends z.ZodRawShape, R extends z.ZodRawShape>(
  definition: OperatorDefinition<string, F, R>,
) => z.object({ ...definition.fields, ...definition.rendered });
