export type DagTab = 'grid' | 'graph' | 'gantt' | 'trigger' | 'backfill';

/**
 * Routes, in the hash so any server serves the one page: #/ and
 * #/dags/<id>[/grid|/graph|/gantt|/trigger|/backfill][/<run>[/<task>]].
 */
export interface Route {
  dag: string | null;
  tab: DagTab;
  run: string | null;
  task: string | null;
}

const TABS: DagTab[] = ['grid', 'graph', 'gantt', 'trigger', 'backfill'];

const decode = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decode);
  if (parts[0] !== 'dags' || !parts[1]) return { dag: null, tab: 'grid', run: null, task: null };
  const tab = TABS.find((t) => t === parts[2]) ?? 'grid';
  return { dag: parts[1], tab, run: parts[3] || null, task: parts[4] || null };
}

export function href(dag: string, tab: DagTab = 'grid', run?: string | null, task?: string | null): string {
  let out = `#/dags/${encodeURIComponent(dag)}`;
  if (tab !== 'grid' || run) out += `/${tab}`;
  if (run) out += `/${encodeURIComponent(run)}`;
  if (run && task) out += `/${encodeURIComponent(task)}`;
  return out;
}
