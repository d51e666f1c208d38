import {
  advanceBackfills,
  type BackfillChangeOutcome,
  cancelBackfill,
  createBackfill,
  dryRunBackfill,
  setBackfillPaused,
} from '../backfill.ts';
import type { ApiBackend } from './backend.ts';
import { backfillResponse } from './airflow-shapes.ts';
import { type ApiReply, fail, invalidFields, notFound, ok } from './http-errors.ts';
import { listQuery, page } from './list-query.ts';
import { readJsonBody } from './request-body.ts';

/**
 * Airflow's backfill routes: POST /api/v2/backfills, POST /api/v2/backfills/dry_run,
 * GET /api/v2/backfills?dag_id=, GET /api/v2/backfills/{id}, PUT .../{id}/pause|unpause|cancel.
 * Listing and reading advance the open backfills first, so a host whose run-end hook was missed
 * still shows (and makes) progress.
 */
export async function backfillRoute(
  backend: ApiBackend,
  method: string,
  parts: string[],
  query: URLSearchParams,
  body: string | undefined,
): Promise<ApiReply> {
  const [, idText, action] = parts;
  if (parts.length === 1 && method === 'POST') return post(backend, body, false);
  if (parts.length === 2 && idText === 'dry_run' && method === 'POST') return post(backend, body, true);
  if (parts.length === 1 && method === 'GET') {
    const q = listQuery(query, ['id'], 'id');
    if (!q.ok) return invalidFields(q.errors, 'query');
    const dagId = query.get('dag_id');
    await advanceBackfills(backend, dagId);
    const all = (await backend.listBackfills(dagId)).sort((a, b) => a.id - b.id);
    if (q.descending) all.reverse();
    return ok({ backfills: page(all, q).map(backfillResponse), total_entries: all.length });
  }
  if (!/^[1-9][0-9]{0,9}$/.test(idText ?? '')) return notFound(`Could not find backfill with id ${idText}`);
  const id = Number(idText);
  if (parts.length === 2 && method === 'GET') {
    const found = await backend.getBackfill(id);
    if (!found) return notFound(`Could not find backfill with id ${id}`);
    await advanceBackfills(backend, found.dag_id);
    return ok(backfillResponse((await backend.getBackfill(id)) ?? found));
  }
  if (parts.length === 3 && method === 'PUT') {
    if (action === 'pause') return changed(await setBackfillPaused(backend, id, true));
    if (action === 'unpause') return changed(await setBackfillPaused(backend, id, false));
    if (action === 'cancel') return changed(await cancelBackfill(backend, id));
  }
  return notFound('Not Found');
}

async function post(backend: ApiBackend, text: string | undefined, dryRun: boolean): Promise<ApiReply> {
  const read = readJsonBody(text);
  if (!read.ok) return read.reply;
  if (dryRun) {
    const outcome = await dryRunBackfill(backend, read.value);
    if (outcome.kind === 'invalid') return invalidFields(outcome.errors);
    if (outcome.kind === 'not_found') return notFound(outcome.message);
    return ok({ backfills: outcome.backfills, total_entries: outcome.total_entries });
  }
  const outcome = await createBackfill(backend, read.value);
  switch (outcome.kind) {
    case 'created':
      return ok(backfillResponse(outcome.backfill));
    case 'invalid':
      return invalidFields(outcome.errors);
    case 'not_found':
      return notFound(outcome.message);
    case 'conflict':
      return fail(409, outcome.message);
  }
}

function changed(outcome: BackfillChangeOutcome): ApiReply {
  if (outcome.kind === 'ok') return ok(backfillResponse(outcome.backfill));
  return outcome.kind === 'not_found' ? notFound(outcome.message) : fail(409, outcome.message);
}
