import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, paths, type DagRun, type LogLine, type TaskInstance } from '../api.ts';
import { formatDuration, formatTime, secondsBetween } from '../format.ts';
import { IDLE_MS, LIVE_MS, usePoll } from '../poll.ts';
import { isLive, stateClass } from '../states.ts';
import { ActionButton, ErrorBanner } from './parts.ts';

interface Try {
  instance: TaskInstance;
  log: LogLine[];
  /** The job the try submitted and its UI, from the try's log (the line that records the submission). */
  jobId: string | null;
  jobUrl: string | null;
}

/** Only http(s) links are followed: a link is data, never script. */
const isWebUrl = (url: string | null | undefined): url is string => !!url && /^https?:\/\//i.test(url);

async function loadTries(dag: string, run: string, task: string): Promise<Try[]> {
  const listed = await api<{ task_instances: TaskInstance[] }>('GET', paths.tries(dag, run, task));
  const tries = [...listed.task_instances].sort((a, b) => a.try_number - b.try_number);
  return Promise.all(
    tries.map(async (instance) => {
      const log = await api<{ content: Array<LogLine | string> }>(
        'GET',
        paths.log(dag, run, task, instance.try_number),
      );
      const lines = log.content.map((line) => (typeof line === 'string' ? { event: line } : line));
      const job = lines.find((l) => typeof l.job_id === 'string');
      return { instance, log: lines, jobId: job?.job_id ?? null, jobUrl: job?.job_url ?? null };
    }),
  );
}

/** One task instance: its tries (times, job id, link to the job's UI), the chosen try's log, and clear. */
export function TaskInstancePanel(props: {
  dag: string;
  run: DagRun;
  task: string;
  instance: TaskInstance | null;
  reload: () => void;
}) {
  const { dag, run, task, instance } = props;
  const runId = run.dag_run_id;
  const detail = usePoll(
    () => loadTries(dag, runId, task),
    [dag, runId, task, instance?.state, instance?.try_number],
    () => (isLive(instance?.state) ? LIVE_MS : IDLE_MS),
  );
  const [chosenTry, setChosenTry] = useState<number | null>(null);
  const tries = detail.data ?? [];
  const shown = tries.find((t) => t.instance.try_number === chosenTry) ?? tries.at(-1) ?? null;
  return html`<div class="ti-panel">
    <h2><code>${task}</code></h2>
    <p class="muted">run <code>${runId}</code></p>
    <p>
      <span class="badge ${stateClass(instance?.state)}">${instance?.state ?? 'no status'}</span>
      ${instance ? html` try ${instance.try_number}${instance.max_tries !== undefined ? ` of ${instance.max_tries + 1}` : ''}` : null}
    </p>
    <dl>
      <dt>Started</dt>
      <dd>${formatTime(instance?.start_date)}</dd>
      <dt>Ended</dt>
      <dd>${formatTime(instance?.end_date)}</dd>
      <dt>Duration</dt>
      <dd>
        ${formatDuration(instance?.duration ?? secondsBetween(instance?.start_date, instance?.end_date))}
      </dd>
      ${
        instance?.operator
          ? html`<dt>Operator</dt>
              <dd>${instance.operator}</dd>`
          : null
      }
    </dl>
    <div class="actions">
      <${ActionButton}
        name="clear-task"
        label="Clear with downstream"
        disabled=${!instance || isLive(instance.state) || instance.state === null}
        action=${() =>
          api('POST', paths.clear(dag), {
            dry_run: false,
            dag_run_id: runId,
            task_ids: [task],
            only_failed: false,
            include_downstream: true,
          })}
        done=${props.reload}
      />
    </div>
    <${ErrorBanner} error=${detail.error} />
    <h3>Tries</h3>
    <table class="tries">
      <thead>
        <tr>
          <th>#</th>
          <th>State</th>
          <th>Start</th>
          <th>End</th>
          <th>Duration</th>
          <th>Job</th>
        </tr>
      </thead>
      <tbody>
        ${tries.map(
          (t) =>
            html`<tr class=${t === shown ? 'sel' : ''} data-try=${t.instance.try_number}>
              <td>
                <button class="link" onClick=${() => setChosenTry(t.instance.try_number)}>
                  ${t.instance.try_number}
                </button>
              </td>
              <td>
                <span class="badge ${stateClass(t.instance.state)}">${t.instance.state ?? 'no status'}</span>
              </td>
              <td>${formatTime(t.instance.start_date)}</td>
              <td>${formatTime(t.instance.end_date)}</td>
              <td>
                ${formatDuration(t.instance.duration ?? secondsBetween(t.instance.start_date, t.instance.end_date))}
              </td>
              <td>
                ${
                  t.jobId
                    ? isWebUrl(t.jobUrl)
                      ? html`<a class="job-link" href=${t.jobUrl} target="_blank" rel="noopener noreferrer"
                          ><code>${t.jobId}</code></a
                        >`
                      : html`<code>${t.jobId}</code>`
                    : null
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      shown
        ? html`<h3>Log of try ${shown.instance.try_number}</h3>
            <pre class="log">
${shown.log.map(
                (l) =>
                  html`<div class=${`log-${l.level ?? 'info'}`}>
                    ${l.timestamp ? `[${formatTime(l.timestamp)}] ` : ''}${l.level ? `${l.level.toUpperCase()} ` : ''}${l.event}
                  </div>`,
              )}</pre>`
        : null
    }
  </div>`;
}
