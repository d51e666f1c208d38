import { globMatches } from './faults.ts';
import type { GenieJob, GenieJobRequest, GenieJobStore } from './genie-jobs.ts';
import { GenieError } from './genie-jobs.ts';
import type { EmuRequest, Reply, ServiceRoute } from './http.ts';
import { BadRequestBody, isRecord, json, jsonBody } from './http.ts';

const PREFIX = '/genie/api/v3/jobs';
const DEFAULT_TIMEOUT_SECONDS = 604_800;

const genieError = (status: number, code: string, message: string): Reply =>
  json(status, { timestamp: new Date().toISOString(), status, error: code, message });

function requestOf(body: unknown): GenieJobRequest {
  if (!isRecord(body)) throw new GenieError(400, 'The job request must be a JSON object.');
  const text = (k: string, required: boolean, max: number): string | undefined => {
    const v = body[k];
    if (v === undefined || v === null) {
      if (required) throw new GenieError(400, `${k} is required.`);
      return undefined;
    }
    if (typeof v !== 'string' || (required && v.trim() === ''))
      throw new GenieError(400, `${k} must be a non-blank string.`);
    if (v.length > max) throw new GenieError(400, `${k} must be at most ${max} characters.`);
    return v;
  };
  const tagList = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || !v.every((t) => typeof t === 'string'))
      throw new GenieError(400, `${what} must be an array of strings.`);
    return (v as string[]).filter((t) => t.trim() !== '');
  };
  const criterias = body.clusterCriterias;
  if (!Array.isArray(criterias) || criterias.length === 0)
    throw new GenieError(400, 'clusterCriterias must be a non-empty array.');
  const clusterCriterias = criterias.map((c, i) => {
    const tags = tagList(isRecord(c) ? c.tags : undefined, `clusterCriterias[${i}].tags`);
    if (tags.length === 0) throw new GenieError(400, `clusterCriterias[${i}].tags must not be empty.`);
    return { tags };
  });
  const commandCriteria = tagList(body.commandCriteria, 'commandCriteria');
  if (commandCriteria.length === 0)
    throw new GenieError(400, 'commandCriteria must contain at least one non-blank tag.');
  const args = body.commandArguments;
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    throw new GenieError(400, 'commandArguments must be an array of strings.');
  }
  const timeout = body.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1)
    throw new GenieError(400, 'timeout must be an integer of at least 1 second.');
  return {
    id: text('id', false, 255),
    name: text('name', true, 255) ?? '',
    user: text('user', true, 255) ?? '',
    version: text('version', true, 255) ?? '',
    description: text('description', false, 10_000),
    tags: body.tags === undefined ? [] : tagList(body.tags, 'tags'),
    clusterCriterias,
    commandCriteria,
    commandArgs: (args as string[] | undefined)?.join(' ') ?? text('commandArgs', false, 10_000) ?? '',
    timeout,
    grouping: text('grouping', false, 255),
    groupingInstance: text('groupingInstance', false, 255),
    dependencies: body.dependencies === undefined ? [] : tagList(body.dependencies, 'dependencies'),
    setupFile: text('setupFile', false, 1024),
  };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function links(origin: string, id: string): Record<string, { href: string }> {
  const self = `${origin}${PREFIX}/${id}`;
  return Object.fromEntries([
    ['self', { href: self }],
    ...['request', 'execution', 'output', 'status', 'cluster', 'command'].map((k) => [
      k,
      { href: `${self}/${k}` },
    ]),
  ]);
}

/** Checks HTTP Basic credentials against `users` (user -> password); no users: Genie is open. */
function authorized(req: EmuRequest, users: Record<string, string>): boolean {
  if (Object.keys(users).length === 0) return true;
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon > 0 && users[decoded.slice(0, colon)] === decoded.slice(colon + 1);
}

/** Genie v3 jobs API at /genie/api/v3/jobs, optionally behind HTTP Basic auth. */
export function genieRoute(store: GenieJobStore, users: Record<string, string>): ServiceRoute {
  const jobResource = (req: EmuRequest, job: GenieJob): Record<string, unknown> => {
    const v = store.view(job);
    const r = job.request;
    return {
      id: job.id,
      name: r.name,
      user: r.user,
      version: r.version,
      description: r.description ?? null,
      tags: r.tags,
      created: iso(job.created),
      updated: iso(v.finished ?? v.started ?? job.created),
      status: v.status,
      statusMsg: v.statusMsg,
      started: iso(v.started),
      finished: iso(v.finished),
      archiveLocation: `file:///tmp/genie/archives/${job.id}.tar.gz`,
      clusterName: job.resolution.ok && v.status !== 'ACCEPTED' ? job.resolution.cluster.name : null,
      commandName: job.resolution.ok && v.status !== 'ACCEPTED' ? job.resolution.command.name : null,
      runtime:
        v.started === undefined ? 'PT0S' : `PT${(((v.finished ?? v.at) - v.started) / 1000).toFixed(3)}S`,
      commandArgs: r.commandArgs,
      grouping: r.grouping ?? null,
      groupingInstance: r.groupingInstance ?? null,
      _links: links(req.origin, job.id),
    };
  };

  const output = (req: EmuRequest, job: GenieJob, path: string): Reply => {
    const v = store.view(job);
    if (!['RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED'].includes(v.status) || !job.resolution.ok) {
      throw new GenieError(
        404,
        `The output directory of job ${job.id} does not exist yet (status ${v.status}).`,
      );
    }
    const { cluster, command } = job.resolution;
    const stdout = [
      `Running ${command.name} on cluster ${cluster.name}: ${command.name} ${job.request.commandArgs}`,
    ];
    if (v.status !== 'RUNNING') stdout.push(`${v.statusMsg} Exit code ${v.exitCode ?? ''}.`);
    const files: Record<string, string> = {
      stdout: `${stdout.join('\n')}\n`,
      stderr:
        v.status === 'FAILED'
          ? 'Exception in thread "main" java.lang.RuntimeException: injected failure\n'
          : '',
    };
    if (path === '') {
      return json(200, {
        parent: null,
        directories: [],
        files: Object.entries(files).map(([name, content]) => ({
          name,
          url: `${req.origin}${PREFIX}/${job.id}/output/${name}`,
          size: content.length,
        })),
      });
    }
    const content = files[path];
    if (content === undefined) throw new GenieError(404, `No file ${path} in the output of job ${job.id}.`);
    return { status: 200, text: content };
  };

  const search = (req: EmuRequest): Reply => {
    const q = req.url.searchParams;
    // Genie's name search is SQL LIKE: % matches any characters.
    const like = (pattern: string, v: string): boolean => globMatches(pattern.replaceAll('%', '*'), v);
    const statuses = q.getAll('status');
    const tags = q.getAll('tag');
    const matches = [...store.jobs.values()].filter((j) => {
      const r = j.request;
      return (
        (!q.get('name') || like(q.get('name') ?? '', r.name)) &&
        (!q.get('user') || r.user === q.get('user')) &&
        (statuses.length === 0 || statuses.includes(store.view(j).status)) &&
        tags.every((t) => r.tags.includes(t)) &&
        (!q.get('grouping') || r.grouping === q.get('grouping')) &&
        (!q.get('groupingInstance') || r.groupingInstance === q.get('groupingInstance'))
      );
    });
    matches.sort((a, b) => b.created - a.created);
    const size = Math.max(1, Number(q.get('size') ?? 64) || 64);
    const page = Math.max(0, Number(q.get('page') ?? 0) || 0);
    const items = matches.slice(page * size, (page + 1) * size).map((j) => {
      const { id, name, user, status, started, finished, clusterName, commandName, runtime } = jobResource(
        req,
        j,
      );
      return {
        id,
        name,
        user,
        status,
        started,
        finished,
        clusterName,
        commandName,
        runtime,
        _links: { self: { href: `${req.origin}${PREFIX}/${j.id}` } },
      };
    });
    return json(200, {
      _embedded: { jobSearchResultList: items },
      page: {
        size,
        totalElements: matches.length,
        totalPages: Math.ceil(matches.length / size),
        number: page,
      },
    });
  };

  function handle(req: EmuRequest): Reply {
    const [id, sub, ...rest] = req.url.pathname.slice(PREFIX.length).split('/').filter(Boolean);
    const m = req.method;
    if (!id) {
      if (m === 'GET') return search(req);
      if (m !== 'POST') throw new GenieError(405, `${m} is not supported on ${PREFIX}.`);
      const job = store.submit(requestOf(jsonBody(req)));
      return json(202, undefined, { location: `${req.origin}${PREFIX}/${job.id}` });
    }
    const job = store.get(decodeURIComponent(id));
    if (m === 'DELETE' && !sub) {
      store.kill(job);
      return json(202);
    }
    if (m !== 'GET') throw new GenieError(405, `${m} is not supported here.`);
    if (!sub) return json(200, jobResource(req, job));
    const v = store.view(job);
    switch (sub) {
      case 'status':
        return json(200, { status: v.status });
      case 'request':
        return json(200, { ...job.request, _links: links(req.origin, job.id) });
      case 'execution':
        return json(200, {
          id: job.id,
          hostName: 'genie-emulated.local',
          processId: v.started === undefined ? null : 4242,
          checkDelay: 5000,
          timeout: iso(job.runningAt + job.request.timeout * 1000),
          exitCode: v.exitCode ?? null,
          archiveStatus: v.finished === undefined ? 'PENDING' : 'ARCHIVED',
          _links: links(req.origin, job.id),
        });
      case 'cluster':
      case 'command': {
        if (!job.resolution.ok || v.status === 'ACCEPTED')
          throw new GenieError(404, `Job ${job.id} has no ${sub} yet.`);
        const r = job.resolution[sub];
        return json(200, {
          id: r.id,
          name: r.name,
          tags: r.tags,
          status: sub === 'cluster' ? 'UP' : 'ACTIVE',
        });
      }
      case 'output':
        return output(req, job, rest.join('/'));
      default:
        throw new GenieError(404, `No resource ${sub} for jobs.`);
    }
  }

  return {
    service: 'genie',
    owns: (url) => url.pathname === PREFIX || url.pathname.startsWith(`${PREFIX}/`),
    error: genieError,
    jobNameOf(req) {
      const id = req.url.pathname.slice(PREFIX.length).split('/').filter(Boolean)[0];
      if (id) return store.jobs.get(decodeURIComponent(id))?.request.name;
      try {
        const body = jsonBody(req);
        return isRecord(body) && typeof body.name === 'string' ? body.name : undefined;
      } catch {
        return undefined;
      }
    },
    handle(req) {
      if (!authorized(req, users)) {
        const reply = genieError(
          401,
          'Unauthorized',
          'Full authentication is required to access this resource',
        );
        return { ...reply, headers: { 'www-authenticate': 'Basic realm="Genie"' } };
      }
      try {
        return handle(req);
      } catch (e) {
        if (e instanceof GenieError) {
          const names: Record<number, string> = {
            400: 'Bad Request',
            404: 'Not Found',
            405: 'Method Not Allowed',
            409: 'Conflict',
          };
          return genieError(e.status, names[e.status] ?? 'Error', e.message);
        }
        if (e instanceof BadRequestBody) return genieError(400, 'Bad Request', e.message);
        throw e;
      }
    },
  };
}
