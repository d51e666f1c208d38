import type { FinalTaskState } from '../../src/compiler/ir.ts';
import type { TriggerRule } from '../../src/dag/vocabulary.ts';
import type { RuleDecision } from '../../src/semantics/trigger-rules.ts';

/**
 * Airflow's own trigger-rule test expectations, transcribed as facts (not code) from apache/airflow:
 *
 * - airflow-core/tests/unit/ti_deps/deps/test_trigger_rule_dep.py (commit b6afab87d690), class
 *   TestTriggerRuleDep: the test_<rule>_tr_* cases, test_no_upstream_tasks, test_always_tr and the
 *   five test_all_done_min_one_success_* cases;
 * - airflow-core/tests/unit/models/test_taskinstance.py (commit 00815c36764a), the parameter table of
 *   test_check_task_dependencies (the `downstream` task has five `work_i` upstreams; no setups),
 *   its rows numbered from 1 in the order they are listed there.
 *
 * How a case is read:
 * - Airflow parametrizes each case over flag_upstream_failed; the table takes True, the scheduler's
 *   setting, where the dependency check also sets skipped / upstream_failed. The outcome: the state
 *   the test expects to be set, else `run` when the dependency passes, `wait` when it does not.
 * - Counts are the upstreams' final states. `pending` counts upstreams that have not finished:
 *   test_check_task_dependencies' five upstreams minus its `done`; the extra unfinished EmptyOperator
 *   that test_all_done_tr_failure and test_none_skipped_tr_failure_empty add; test_always_tr's `a`.
 *   A pending case can only be checked through `decide` (a finished run has no unfinished upstream);
 *   every other case is also run on both engines.
 * - `done`: where it equals the sum of the counts it adds nothing; where the test fakes a smaller
 *   `done` (the one_* cases of test_trigger_rule_dep.py give no upstream tasks and done=2 whatever
 *   the counts) the counts are taken as they are, all finished, and a differing outcome is marked.
 * - `removed` (test_one_success_tr_failure: 1) is dropped: airless has no dynamic task mapping, so no
 *   upstream is ever removed; that case's outcome does not depend on it.
 *
 * Left out, with the reason: test_teardown_tr_not_all_done and the all_done_setup_success rows of
 * test_check_task_dependencies (setup/teardown tasks are not in the DAG format); test_unknown_tr (an
 * unknown rule is refused at validation); test_all_success_tr_skip_wait_for_past_depends_before_skipping
 * (depends_on_past is not in the format; its `_past_depends_met` twin, where the past condition holds
 * as it always does in airless, is kept); test_UpstreamTIStates (counts the helper's tuple, no rule
 * decision); the test_mapped_task_* and test_setup_constraint_* tests (mapping, setups).
 */
export interface AirflowRuleCase {
  /** The Airflow test, and the row for a parameter table. */
  from: string;
  rule: TriggerRule;
  up: Partial<Record<FinalTaskState | 'pending', number>>;
  /** What Airflow's test expects. */
  airflow: RuleDecision;
  /** Where airless decides otherwise: its outcome and why. */
  airless?: { outcome: RuleDecision; why: string };
}

const DEP = 'test_trigger_rule_dep.py::';
const TI = 'test_taskinstance.py::test_check_task_dependencies';

const ORDER_DEPENDENT =
  'Airflow skips an all_success task once one upstream is skipped while none has failed yet; a ' +
  'pending upstream that later fails would have made it upstream_failed had it finished first. ' +
  'airless decides from final states only: it waits for the pending upstreams.';

/** Cases of test_check_task_dependencies: (success, skipped, failed, upstream_failed) of 5 upstreams. */
function ti(
  row: number,
  rule: TriggerRule,
  [success, skipped, failed, upstream_failed]: [number, number, number, number],
  airflow: RuleDecision,
  airless?: AirflowRuleCase['airless'],
): AirflowRuleCase {
  const pending = 5 - success - skipped - failed - upstream_failed;
  const up = { success, skipped, failed, upstream_failed, pending };
  return { from: `${TI}[${row}]`, rule, up, airflow, ...(airless ? { airless } : {}) };
}

export const AIRFLOW_RULE_CASES: AirflowRuleCase[] = [
  { from: `${DEP}test_no_upstream_tasks`, rule: 'all_done', up: {}, airflow: 'run' },
  { from: `${DEP}test_always_tr`, rule: 'always', up: { pending: 1 }, airflow: 'run' },
  {
    from: `${DEP}test_one_success_tr_success`,
    rule: 'one_success',
    up: { success: 1, skipped: 2, failed: 3, upstream_failed: 2 },
    airflow: 'skipped',
    airless: {
      outcome: 'run',
      why:
        'the test gives no upstream tasks and fakes done=2, so its done == skipped check fires; with ' +
        'the 8 counted upstreams finished, Airflow runs it too (one success, not all skipped)',
    },
  },
  {
    from: `${DEP}test_one_success_tr_failure`,
    rule: 'one_success',
    up: { skipped: 1, failed: 1, upstream_failed: 1 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_one_success_tr_failure_all_skipped`,
    rule: 'one_success',
    up: { skipped: 2 },
    airflow: 'skipped',
  },
  { from: `${DEP}test_one_failure_tr_failure`, rule: 'one_failed', up: { success: 2 }, airflow: 'skipped' },
  {
    from: `${DEP}test_one_failure_tr_success`,
    rule: 'one_failed',
    up: { skipped: 2, failed: 2 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_one_failure_tr_success_no_failed`,
    rule: 'one_failed',
    up: { skipped: 2, upstream_failed: 2 },
    airflow: 'run',
  },
  { from: `${DEP}test_one_done_tr_success`, rule: 'one_done', up: { success: 2 }, airflow: 'run' },
  { from: `${DEP}test_one_done_tr_success_with_failed`, rule: 'one_done', up: { failed: 2 }, airflow: 'run' },
  { from: `${DEP}test_one_done_tr_skip`, rule: 'one_done', up: { skipped: 2 }, airflow: 'skipped' },
  {
    from: `${DEP}test_one_done_tr_upstream_failed`,
    rule: 'one_done',
    up: { upstream_failed: 2 },
    airflow: 'skipped',
  },
  { from: `${DEP}test_all_success_tr_success`, rule: 'all_success', up: { success: 1 }, airflow: 'run' },
  {
    from: `${DEP}test_all_success_tr_failure`,
    rule: 'all_success',
    up: { success: 1, failed: 1 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_all_success_tr_skip`,
    rule: 'all_success',
    up: { success: 1, skipped: 1 },
    airflow: 'skipped',
  },
  {
    from: `${DEP}test_all_success_tr_skip_wait_for_past_depends_before_skipping_past_depends_met`,
    rule: 'all_success',
    up: { success: 1, skipped: 1 },
    airflow: 'skipped',
  },
  {
    from: `${DEP}test_none_failed_tr_success`,
    rule: 'none_failed',
    up: { success: 1, skipped: 1 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_none_failed_tr_failure`,
    rule: 'none_failed',
    up: { success: 1, skipped: 1, failed: 1 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_none_failed_tr_failure_with_upstream_failure`,
    rule: 'none_failed',
    up: { success: 1, skipped: 1, upstream_failed: 1 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_none_failed_min_one_success_tr_success`,
    rule: 'none_failed_min_one_success',
    up: { success: 1, skipped: 1 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_none_failed_min_one_success_tr_skipped`,
    rule: 'none_failed_min_one_success',
    up: { skipped: 2 },
    airflow: 'skipped',
  },
  {
    from: `${DEP}test_none_failed_min_one_success_tr_failure`,
    rule: 'none_failed_min_one_success',
    up: { success: 1, skipped: 1, failed: 1 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_none_failed_min_one_success_tr_upstream_failure`,
    rule: 'none_failed_min_one_success',
    up: { success: 1, skipped: 1, upstream_failed: 1 },
    airflow: 'upstream_failed',
  },
  { from: `${DEP}test_all_failed_tr_success`, rule: 'all_failed', up: { failed: 2 }, airflow: 'run' },
  { from: `${DEP}test_all_failed_tr_failure`, rule: 'all_failed', up: { success: 2 }, airflow: 'skipped' },
  { from: `${DEP}test_all_done_tr_success`, rule: 'all_done', up: { success: 2 }, airflow: 'run' },
  { from: `${DEP}test_all_skipped_tr_failure`, rule: 'all_skipped', up: { success: 1 }, airflow: 'skipped' },
  {
    from: `${DEP}test_all_skipped_tr_failure_upstream_failed`,
    rule: 'all_skipped',
    up: { upstream_failed: 1 },
    airflow: 'skipped',
  },
  { from: `${DEP}test_all_skipped_tr_success`, rule: 'all_skipped', up: { skipped: 3 }, airflow: 'run' },
  {
    from: `${DEP}test_all_done_tr_failure`,
    rule: 'all_done',
    up: { success: 1, pending: 1 },
    airflow: 'wait',
  },
  {
    from: `${DEP}test_none_skipped_tr_success`,
    rule: 'none_skipped',
    up: { success: 2, failed: 1 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_none_skipped_tr_failure`,
    rule: 'none_skipped',
    up: { success: 1, skipped: 1 },
    airflow: 'skipped',
  },
  {
    from: `${DEP}test_none_skipped_tr_failure_empty`,
    rule: 'none_skipped',
    up: { pending: 1 },
    airflow: 'wait',
  },
  {
    from: `${DEP}test_all_done_min_one_success_with_mixed_success_and_failure`,
    rule: 'all_done_min_one_success',
    up: { success: 1, failed: 1 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_all_done_min_one_success_with_all_successful_upstreams`,
    rule: 'all_done_min_one_success',
    up: { success: 2 },
    airflow: 'run',
  },
  {
    from: `${DEP}test_all_done_min_one_success_with_success_and_skipped_upstream`,
    rule: 'all_done_min_one_success',
    up: { success: 1, skipped: 1 },
    airflow: 'skipped',
  },
  {
    from: `${DEP}test_all_done_min_one_success_with_all_failed_upstreams`,
    rule: 'all_done_min_one_success',
    up: { failed: 2 },
    airflow: 'upstream_failed',
  },
  {
    from: `${DEP}test_all_done_min_one_success_with_upstream_failed_cascade`,
    rule: 'all_done_min_one_success',
    up: { upstream_failed: 1 },
    airflow: 'upstream_failed',
  },

  ti(1, 'all_success', [5, 0, 0, 0], 'run'),
  ti(2, 'all_success', [2, 0, 0, 0], 'wait'),
  ti(3, 'all_success', [2, 0, 1, 0], 'upstream_failed'),
  ti(4, 'all_success', [2, 1, 0, 0], 'skipped', { outcome: 'wait', why: ORDER_DEPENDENT }),
  ti(5, 'one_success', [5, 0, 0, 0], 'run'),
  ti(6, 'one_success', [2, 0, 0, 0], 'run'),
  ti(7, 'one_success', [2, 0, 1, 0], 'run'),
  ti(8, 'one_success', [2, 1, 0, 0], 'run'),
  ti(9, 'one_success', [0, 5, 0, 0], 'skipped'),
  ti(10, 'one_success', [0, 4, 1, 0], 'upstream_failed'),
  ti(11, 'one_success', [0, 3, 1, 1], 'upstream_failed'),
  ti(12, 'one_success', [0, 4, 0, 1], 'upstream_failed'),
  ti(13, 'one_success', [0, 0, 5, 0], 'upstream_failed'),
  ti(14, 'one_success', [0, 0, 4, 1], 'upstream_failed'),
  ti(15, 'one_success', [0, 0, 0, 5], 'upstream_failed'),
  ti(16, 'all_failed', [5, 0, 0, 0], 'skipped'),
  ti(17, 'all_failed', [0, 0, 5, 0], 'run'),
  ti(18, 'all_failed', [2, 0, 0, 0], 'skipped'),
  ti(19, 'all_failed', [2, 0, 1, 0], 'skipped'),
  ti(20, 'all_failed', [2, 1, 0, 0], 'skipped'),
  ti(21, 'one_failed', [5, 0, 0, 0], 'skipped'),
  ti(22, 'one_failed', [2, 0, 0, 0], 'wait'),
  ti(23, 'one_failed', [2, 0, 1, 0], 'run'),
  ti(24, 'one_failed', [2, 1, 0, 0], 'wait'),
  ti(25, 'one_failed', [2, 3, 0, 0], 'skipped'),
  ti(26, 'all_done', [5, 0, 0, 0], 'run'),
  ti(27, 'all_done', [2, 0, 0, 0], 'wait'),
  ti(28, 'all_done', [2, 0, 1, 0], 'wait'),
  ti(29, 'all_done', [2, 1, 0, 0], 'wait'),
];

/** The outcome airless must give: Airflow's, unless the case is marked. */
export const airlessOutcome = (c: AirflowRuleCase): RuleDecision => c.airless?.outcome ?? c.airflow;
