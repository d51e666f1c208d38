/** A Genie cluster or command as configured on the emulator. */
export interface GenieResource {
  id: string;
  name: string;
  tags: string[];
  status?: string | undefined;
}

export type Resolution =
  | { ok: true; cluster: GenieResource; command: GenieResource; criterion: string[] }
  | { ok: false; message: string };

/** A resource's tags plus the implicit `genie.id:` and `genie.name:` ones. */
function tagsOf(r: GenieResource): Set<string> {
  return new Set([...r.tags, `genie.id:${r.id}`, `genie.name:${r.name}`]);
}

const hasAll = (r: GenieResource, wanted: string[]): boolean => {
  const tags = tagsOf(r);
  return wanted.every((t) => tags.has(t));
};

/**
 * Genie's resolution: commands (ACTIVE) carrying every command tag; for each, the job's cluster
 * criteria in order, and the first criterion that matches at least one UP cluster wins. Where
 * Genie's default selectors pick at random, the emulator takes the first in configuration order,
 * so runs are reproducible.
 */
export function resolveJob(
  clusters: GenieResource[],
  commands: GenieResource[],
  clusterCriteria: string[][],
  commandCriteria: string[],
): Resolution {
  const candidates = commands.filter(
    (c) => (c.status ?? 'ACTIVE') === 'ACTIVE' && hasAll(c, commandCriteria),
  );
  if (candidates.length === 0) {
    return { ok: false, message: `No command found matching all tags [${commandCriteria.join(', ')}].` };
  }
  const up = clusters.filter((c) => (c.status ?? 'UP') === 'UP');
  for (const command of candidates) {
    for (const criterion of clusterCriteria) {
      const cluster = up.find((c) => hasAll(c, criterion));
      if (cluster) return { ok: true, cluster, command, criterion };
    }
  }
  return {
    ok: false,
    message: `No cluster matching any of the criteria ${JSON.stringify(clusterCriteria)} offers a command with tags [${commandCriteria.join(', ')}].`,
  };
}
