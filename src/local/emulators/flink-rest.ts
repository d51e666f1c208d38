import type { EmuContext } from './context.ts';
import type { FlinkJob, FlinkJobManager, RunRequest } from './flink-jobs.ts';
import { FlinkError, flinkJobName } from './flink-jobs.ts';
import type { EmuRequest, Reply, ServiceRoute } from './http.ts';
import { BadRequestBody, isRecord, json, jsonBody } from './http.ts';

const flinkError = (status: number, _code: string, message: string): Reply =>
  json(status, { errors: [message] });

/** Request bodies as Flink's strict JSON mapper reads them: unknown fields are rejected. */
const BODY_FIELDS = {
  JarRunRequestBody: [
    'entryClass',
    'programArgs',
    'programArgsList',
    'parallelism',
    'jobId',
    'allowNonRestoredState',
    'savepointPath',
    'restoreMode',
    'claimMode',
    'flinkConfiguration',
  ],
  SavepointTriggerRequestBody: ['target-directory', 'cancel-job', 'formatType', 'triggerId'],
  StopWithSavepointRequestBody: ['targetDirectory', 'drain', 'formatType', 'triggerId'],
} as const;

function strictBody(req: EmuRequest, type: keyof typeof BODY_FIELDS): Record<string, unknown> {
  let body: unknown;
  try {
    body = jsonBody(req);
  } catch {
    throw new FlinkError(400, `Request did not match expected format ${type}: the body is not JSON.`);
  }
  if (!isRecord(body)) throw new FlinkError(400, `Request did not match expected format ${type}.`);
  const allowed: readonly string[] = BODY_FIELDS[type];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new FlinkError(
      400,
      `Request did not match expected format ${type}: unrecognized field(s) ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${allowed.join(', ')}.`,
    );
  }
  return body;
}

function field<T extends 'string' | 'boolean' | 'number'>(
  body: Record<string, unknown>,
  key: string,
  type: T,
) {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw new FlinkError(400, `Field "${key}" must be a ${type}.`);
  return v as T extends 'string' ? string : T extends 'boolean' ? boolean : number;
}

function runRequest(req: EmuRequest, jm: FlinkJobManager, jarId: string): RunRequest {
  const body = strictBody(req, 'JarRunRequestBody');
  const q = req.url.searchParams;
  const list = body.programArgsList;
  if (list !== undefined && !(Array.isArray(list) && list.every((a) => typeof a === 'string'))) {
    throw new FlinkError(400, 'Field "programArgsList" must be an array of strings.');
  }
  const argString =
    field(body, 'programArgs', 'string') ??
    q.get('programArg')?.split(',').join(' ') ??
    q.get('program-args') ??
    '';
  const programArgs = (list as string[] | undefined) ?? argString.split(/\s+/).filter(Boolean);
  const entryClass = field(body, 'entryClass', 'string') ?? q.get('entry-class') ?? undefined;
  if (!entryClass) {
    throw new FlinkError(
      400,
      `Could not run the jar: neither a 'Main-Class', nor a 'program-class' entry was found in the jar file ${jm.jars.get(jarId)?.name ?? jarId}, and no entryClass was given.`,
    );
  }
  const parallelism =
    field(body, 'parallelism', 'number') ?? (q.has('parallelism') ? Number(q.get('parallelism')) : 1);
  return {
    entryClass,
    programArgs,
    parallelism,
    jobId: field(body, 'jobId', 'string'),
    savepointPath: field(body, 'savepointPath', 'string') ?? q.get('savepointPath') ?? undefined,
    allowNonRestoredState:
      field(body, 'allowNonRestoredState', 'boolean') ?? q.get('allowNonRestoredState') === 'true',
  };
}

async function upload(req: EmuRequest, jm: FlinkJobManager): Promise<Reply> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data'))
    throw new FlinkError(400, 'Request is not a multipart/form-data request.');
  let form: FormData;
  try {
    form = await new Request('http://upload.invalid', {
      method: 'POST',
      headers: { 'content-type': type },
      body: req.body,
    }).formData();
  } catch {
    throw new BadRequestBody('Malformed multipart/form-data body.');
  }
  const files = [...form.entries()].filter(([, v]) => typeof v !== 'string');
  const jar = form.get('jarfile');
  if (files.length !== 1 || jar === null || typeof jar === 'string') {
    throw new FlinkError(400, `Exactly 1 file must be sent in field "jarfile", received ${files.length}.`);
  }
  if (!jar.name.endsWith('.jar')) throw new FlinkError(400, 'Only Jar files are allowed.');
  const saved = jm.uploadJar(jar.name);
  return json(200, { filename: `/tmp/flink-web-upload/${saved.id}`, status: 'success' });
}

function jobDetails(jm: FlinkJobManager, job: FlinkJob, now: number): Record<string, unknown> {
  const state = jm.state(job);
  const end = job.ended?.at ?? -1;
  const timestamps: Record<string, number> = { INITIALIZING: job.submittedAt, CREATED: job.submittedAt };
  if (now >= job.runningAt) timestamps.RUNNING = job.runningAt;
  if (job.ended) timestamps[job.ended.state] = job.ended.at;
  return {
    jid: job.jid,
    name: job.name,
    isStoppable: false,
    state,
    'job-type': job.endsAt === undefined ? 'STREAMING' : 'BATCH',
    'start-time': Math.floor(job.submittedAt),
    'end-time': Math.floor(end),
    duration: Math.floor((job.ended?.at ?? now) - job.submittedAt),
    maxParallelism: -1,
    now: Math.floor(now),
    timestamps,
    vertices: [],
    'status-counts': {},
    plan: { jid: job.jid, name: job.name, type: 'STREAMING', nodes: [] },
  };
}

function checkpoints(jm: FlinkJobManager, job: FlinkJob): Record<string, unknown> {
  const n = jm.checkpointCount(job);
  const completed =
    n > 0
      ? {
          id: n,
          status: 'COMPLETED',
          is_savepoint: false,
          checkpoint_type: 'CHECKPOINT',
          external_path: jm.checkpointPath(job, n),
          discarded: false,
        }
      : null;
  const last = job.savepoints.at(-1);
  const savepoint = last
    ? {
        id: last.id,
        status: 'COMPLETED',
        is_savepoint: true,
        checkpoint_type: 'SAVEPOINT',
        trigger_timestamp: Math.floor(last.at),
        external_path: last.path,
        discarded: false,
      }
    : null;
  const restored = job.restoredFrom
    ? {
        id: 0,
        restore_timestamp: Math.floor(job.runningAt),
        is_savepoint: job.restoredFrom.includes('/savepoint-'),
        external_path: job.restoredFrom,
      }
    : null;
  const history = [...(savepoint ? [savepoint] : []), ...(completed ? [completed] : [])];
  return {
    counts: {
      restored: restored ? 1 : 0,
      total: n + job.savepoints.length,
      in_progress: 0,
      completed: n + job.savepoints.length,
      failed: 0,
    },
    summary: {},
    latest: { completed, savepoint, failed: null, restored },
    history,
  };
}

function savepointStatus(job: FlinkJob, triggerId: string): Reply {
  const op = job.operations.get(triggerId);
  if (!op)
    throw new FlinkError(
      404,
      `There is no savepoint operation with triggerId=${triggerId} for job ${job.jid}.`,
    );
  if (op.failure !== undefined) {
    return json(200, {
      status: { id: 'COMPLETED' },
      operation: {
        'failure-cause': {
          class: 'java.util.concurrent.CompletionException',
          'stack-trace': op.failure,
          'serialized-throwable': '',
        },
      },
    });
  }
  if (op.location === undefined) return json(200, { status: { id: 'IN_PROGRESS' }, operation: null });
  return json(200, { status: { id: 'COMPLETED' }, operation: { location: op.location } });
}

const METHOD_NOT_ALLOWED = new FlinkError(405, 'Method not allowed for this path.');

/** Routes one request inside a JobManager (`rest` is the path after `/<name>[/v1]`). */
async function route(req: EmuRequest, jm: FlinkJobManager, ctx: EmuContext, rest: string[]): Promise<Reply> {
  const m = req.method;
  const [a, b, c, d] = rest;
  if (a === 'config' && rest.length === 1)
    return json(200, {
      'refresh-interval': 3000,
      'timezone-name': 'UTC',
      'timezone-offset': 0,
      'flink-version': '1.18.1',
      'flink-revision': 'emulated',
      features: { 'web-submit': true, 'web-cancel': true },
    });
  if (a === 'jars') {
    if (rest.length === 1) {
      if (m !== 'GET') throw METHOD_NOT_ALLOWED;
      return json(200, {
        address: `${req.origin}/${jm.name}`,
        files: [...jm.jars.values()].map((j) => ({ ...j, entry: [] })),
      });
    }
    if (b === 'upload' && rest.length === 2) {
      if (m !== 'POST') throw METHOD_NOT_ALLOWED;
      return upload(req, jm);
    }
    if (b && rest.length === 2) {
      if (m !== 'DELETE') throw METHOD_NOT_ALLOWED;
      if (!jm.jars.delete(b)) throw new FlinkError(400, `File ${b} does not exist in /tmp/flink-web-upload.`);
      return json(200, {});
    }
    if (b && c === 'run' && rest.length === 3) {
      if (m !== 'POST') throw METHOD_NOT_ALLOWED;
      return json(200, { jobid: jm.run(b, runRequest(req, jm, b)).jid });
    }
  }
  if (a === 'jobs') {
    if (rest.length === 1) {
      if (m !== 'GET') throw METHOD_NOT_ALLOWED;
      return json(200, { jobs: jm.allJobs().map((j) => ({ id: j.jid, status: jm.state(j) })) });
    }
    if (b === 'overview' && rest.length === 2) {
      const now = ctx.clock.now();
      return json(200, {
        jobs: jm.allJobs().map((j) => {
          const d = jobDetails(jm, j, now);
          return {
            jid: j.jid,
            name: j.name,
            state: d.state,
            'start-time': d['start-time'],
            'end-time': d['end-time'],
            duration: d.duration,
            'last-modification': Math.floor(j.ended?.at ?? j.runningAt),
            tasks: { total: j.parallelism },
          };
        }),
      });
    }
    if (!b) throw new FlinkError(404, 'Not found');
    const job = jm.job(b);
    if (rest.length === 2) {
      if (m === 'GET') return json(200, jobDetails(jm, job, ctx.clock.now()));
      if (m !== 'PATCH') throw METHOD_NOT_ALLOWED;
      const mode = (req.url.searchParams.get('mode') ?? 'cancel').toLowerCase();
      if (mode !== 'cancel')
        throw new FlinkError(
          400,
          `Termination mode "${mode}" is not supported; use mode=cancel (stop: POST /jobs/:jobid/stop).`,
        );
      jm.cancel(job);
      return json(202, {});
    }
    if (c === 'status' && rest.length === 3) return json(200, { status: jm.state(job) });
    if (c === 'checkpoints' && rest.length === 3) return json(200, checkpoints(jm, job));
    if (c === 'savepoints' && rest.length === 3) {
      if (m !== 'POST') throw METHOD_NOT_ALLOWED;
      const body = strictBody(req, 'SavepointTriggerRequestBody');
      const op = jm.triggerSavepoint(job, 'savepoint', {
        targetDirectory: field(body, 'target-directory', 'string'),
        cancelJob: field(body, 'cancel-job', 'boolean') ?? false,
        triggerId: field(body, 'triggerId', 'string'),
      });
      return json(202, { 'request-id': op.triggerId });
    }
    if (c === 'savepoints' && d && rest.length === 4) return savepointStatus(job, d);
    if (c === 'stop' && rest.length === 3) {
      if (m !== 'POST') throw METHOD_NOT_ALLOWED;
      const body = strictBody(req, 'StopWithSavepointRequestBody');
      const op = jm.triggerSavepoint(job, 'stop', {
        targetDirectory: field(body, 'targetDirectory', 'string'),
        triggerId: field(body, 'triggerId', 'string'),
      });
      return json(202, { 'request-id': op.triggerId });
    }
  }
  throw new FlinkError(404, `Not found: /${rest.join('/')}`);
}

/** Flink JobManager REST API v1, one JobManager per name at `/<name>` and `/<name>/v1`. */
export function flinkRoute(ctx: EmuContext, jobManagers: Map<string, FlinkJobManager>): ServiceRoute {
  const split = (url: URL): { jm: FlinkJobManager; rest: string[] } | undefined => {
    const [name = '', ...rest] = url.pathname.split('/').filter(Boolean);
    const jm = jobManagers.get(name);
    if (!jm) return undefined;
    return { jm, rest: rest[0] === 'v1' ? rest.slice(1) : rest };
  };
  return {
    service: 'flink',
    owns: (url) => split(url) !== undefined,
    error: flinkError,
    jobNameOf(req) {
      const s = split(req.url);
      if (!s) return undefined;
      const [a, b, c] = s.rest;
      try {
        if (a === 'jobs' && b && b !== 'overview') return s.jm.job(b).name;
        if (a === 'jars' && c === 'run') {
          const r = runRequest(req, s.jm, b ?? '');
          return flinkJobName(r.entryClass, r.programArgs);
        }
      } catch {
        return undefined;
      }
      return undefined;
    },
    async handle(req) {
      const s = split(req.url);
      if (!s) return flinkError(404, 'NotFound', 'Not found');
      try {
        return await route(req, s.jm, ctx, s.rest);
      } catch (e) {
        if (e instanceof FlinkError) return flinkError(e.status, '', e.message);
        if (e instanceof BadRequestBody) return flinkError(400, '', e.message);
        throw e;
      }
    },
  };
}
