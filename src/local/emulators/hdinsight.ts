import type { EmuContext } from './context.ts';
import type { TokenStore } from './entra.ts';
import type { EmuRequest, Reply, ServiceRoute } from './http.ts';
import { isRecord, json, jsonBody } from './http.ts';
import type { HdiAction, HdiJob, JobRequest, HdiJobStore } from './hdinsight-jobs.ts';
import { ActionRejected, clusterJobResource } from './hdinsight-jobs.ts';
import { HDINSIGHT_ACTIONS as HDI_ACTIONS } from '../../dag/operators/flink-hdinsight.ts';

/** api-versions accepted, with the actions each knows (2021-09-15-preview: the official samples' version). */
const V2023_06 = [
  'NEW',
  'UPDATE',
  'STATELESS_UPDATE',
  'STOP',
  'START',
  'CANCEL',
  'SAVEPOINT',
  'LIST_SAVEPOINT',
  'DELETE',
];
export const HDI_API_VERSIONS: Record<string, readonly string[]> = {
  '2021-09-15-preview': V2023_06,
  '2023-06-01-preview': V2023_06,
  '2023-11-01-preview': HDI_ACTIONS,
  '2024-05-01-preview': HDI_ACTIONS,
};
/** Versions where `$filter` on the jobs list exists; older ones ignore it, like ARM does. */
const FILTER_VERSIONS = new Set(['2023-11-01-preview', '2024-05-01-preview']);
const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];

const ROUTE =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.HDInsight\/clusterpools\/[^/]+\/clusters\/([^/]+))\/(runJob|jobs|jobs\/([^/]+)\/operationresults\/([^/]+))\/?$/i;

export interface HdiOptions {
  /** Known clusters as ARM resource ids (`/subscriptions/…/clusters/name`); empty: any cluster exists. */
  clusters: string[];
  pageSize: number;
  /** Emulated seconds advertised in Retry-After while an operation runs (converted to real seconds). */
  retryAfterSeconds: number;
}

const armError = (status: number, code: string, message: string): Reply =>
  json(status, { error: { code, message } });

function jobRequest(body: unknown): JobRequest {
  const props = isRecord(body) ? body.properties : undefined;
  if (!isRecord(props))
    throw new ActionRejected(
      400,
      'InvalidRequestContent',
      "The request content must be a ClusterJob with a 'properties' object.",
    );
  if (props.jobType !== 'FlinkJob')
    throw new ActionRejected(
      400,
      'InvalidRequestContent',
      `properties.jobType must be 'FlinkJob', got ${JSON.stringify(props.jobType)}.`,
    );
  const str = (k: string): string | undefined => {
    const v = props[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string')
      throw new ActionRejected(400, 'InvalidRequestContent', `properties.${k} must be a string.`);
    return v;
  };
  const jobName = str('jobName');
  if (!jobName) throw new ActionRejected(400, 'InvalidRequestContent', 'properties.jobName is required.');
  const action = str('action');
  if (!action || !(HDI_ACTIONS as readonly string[]).includes(action)) {
    throw new ActionRejected(
      400,
      'InvalidRequestContent',
      `properties.action must be one of ${HDI_ACTIONS.join(', ')}; got ${JSON.stringify(action)}.`,
    );
  }
  const config = props.flinkConfiguration;
  if (
    config !== undefined &&
    !(isRecord(config) && Object.values(config).every((v) => typeof v === 'string'))
  ) {
    throw new ActionRejected(
      400,
      'InvalidRequestContent',
      'properties.flinkConfiguration must map names to string values.',
    );
  }
  return {
    action: action as HdiAction,
    jobName,
    jobJarDirectory: str('jobJarDirectory'),
    jarName: str('jarName'),
    entryClass: str('entryClass'),
    args: str('args'),
    savePointName: str('savePointName'),
    runId: str('runId'),
    flinkConfiguration: config as Record<string, string> | undefined,
  };
}

function filterOf(expr: string): (job: HdiJob) => boolean {
  const m = /^\s*(jobName|jarName)\s+eq\s+'?([^']*)'?\s*$/i.exec(expr);
  if (!m?.[1])
    throw new ActionRejected(
      400,
      'InvalidFilter',
      `Unsupported $filter '${expr}'; use jobName eq 'name' or jarName eq 'name'.`,
    );
  const field = m[1].toLowerCase() === 'jobname' ? 'jobName' : 'jarName';
  const value = m[2];
  return (job) => job[field] === value;
}

/** ARM: HDInsight on AKS cluster jobs (runJob, jobs list, operation results). */
export function hdinsightRoute(
  ctx: EmuContext,
  tokens: TokenStore,
  store: HdiJobStore,
  options: HdiOptions,
): ServiceRoute {
  const knownClusters = new Set(options.clusters.map((c) => c.toLowerCase()));

  const jobNameOf = (req: EmuRequest): string | undefined => {
    const m = ROUTE.exec(req.url.pathname);
    if (m?.[4]) return decodeURIComponent(m[4]);
    const filter = req.url.searchParams.get('$filter');
    if (filter) return /jobName\s+eq\s+'?([^']*)'?/i.exec(filter)?.[1];
    try {
      const body = jsonBody(req);
      const props = isRecord(body) ? body.properties : undefined;
      return isRecord(props) && typeof props.jobName === 'string' ? props.jobName : undefined;
    } catch {
      return undefined;
    }
  };

  const operationLocation = (
    req: EmuRequest,
    clusterPath: string,
    jobName: string,
    opId: string,
    apiVersion: string,
  ): string =>
    `${req.origin}${clusterPath}/jobs/${encodeURIComponent(jobName)}/operationresults/${opId}?api-version=${apiVersion}`;

  function handle(req: EmuRequest): Reply {
    const m = ROUTE.exec(req.url.pathname);
    if (!m?.[1] || !m[3])
      return armError(404, 'NotFound', `No HDInsight on AKS route matches ${req.url.pathname}.`);
    const auth = tokens.check(req.headers.authorization, ARM_AUDIENCES, 'hdinsight', jobNameOf(req));
    if (!auth.ok)
      return {
        ...armError(401, auth.code, auth.message),
        headers: {
          'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${auth.code}"`,
        },
      };
    const apiVersion = req.url.searchParams.get('api-version');
    if (!apiVersion)
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    const actions = HDI_API_VERSIONS[apiVersion];
    if (!actions) {
      return armError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${apiVersion}' is invalid. The supported versions are '${Object.keys(HDI_API_VERSIONS).join(',')}'.`,
      );
    }
    const clusterPath = m[1];
    if (knownClusters.size > 0 && !knownClusters.has(clusterPath.toLowerCase())) {
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.HDInsight/clusterpools/clusters/${m[2]}' was not found.`,
      );
    }
    const what = m[3].toLowerCase();
    try {
      if (what === 'runjob') {
        if (req.method !== 'POST') return armError(405, 'MethodNotAllowed', 'runJob accepts POST only.');
        const jr = jobRequest(jsonBody(req));
        if (!actions.includes(jr.action)) {
          throw new ActionRejected(
            400,
            'InvalidRequestContent',
            `Action ${jr.action} is not available in api-version ${apiVersion}.`,
          );
        }
        const op = store.begin(clusterPath, jr);
        return json(202, undefined, {
          location: operationLocation(req, clusterPath, jr.jobName, op.id, apiVersion),
          'retry-after': String(ctx.clock.retryAfter(options.retryAfterSeconds)),
        });
      }
      if (req.method !== 'GET')
        return armError(405, 'MethodNotAllowed', `${req.method} is not supported here.`);
      if (what === 'jobs') return list(req, clusterPath, apiVersion);
      const op = store.operation(m[5] ?? '');
      if (!op) return armError(404, 'OperationNotFound', `Operation '${m[5] ?? ''}' was not found.`);
      if (!op.result) {
        return json(202, undefined, {
          location: `${req.origin}${req.url.pathname}${req.url.search}`,
          'retry-after': String(ctx.clock.retryAfter(options.retryAfterSeconds)),
        });
      }
      return op.result === 'deleted' ? json(204) : json(200, op.result);
    } catch (e) {
      if (e instanceof ActionRejected) return armError(e.status, e.code, e.message);
      throw e;
    }
  }

  function list(req: EmuRequest, clusterPath: string, apiVersion: string): Reply {
    const filter = req.url.searchParams.get('$filter');
    let jobs = store.list(clusterPath);
    if (filter && FILTER_VERSIONS.has(apiVersion)) jobs = jobs.filter(filterOf(filter));
    const skip = Number(req.url.searchParams.get('$skipToken') ?? '0');
    if (!Number.isInteger(skip) || skip < 0)
      return armError(400, 'InvalidSkipToken', 'The $skipToken is not valid.');
    const page = jobs.slice(skip, skip + options.pageSize);
    const body: Record<string, unknown> = { value: page.map(clusterJobResource) };
    if (skip + options.pageSize < jobs.length) {
      const next = new URL(req.url.href);
      next.searchParams.set('$skipToken', String(skip + options.pageSize));
      body.nextLink = next.href;
    }
    return json(200, body);
  }

  return {
    service: 'hdinsight',
    owns: (url) => /^\/subscriptions\//i.test(url.pathname),
    jobNameOf,
    handle,
    error: armError,
  };
}
