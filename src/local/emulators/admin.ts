import { z } from 'zod';
import type { ScaledClock } from './clock.ts';
import type { FaultRegistry, FaultSpec } from './faults.ts';
import type { EmuRequest, Reply } from './http.ts';
import { json, jsonBody } from './http.ts';
import type { EmulatorStats } from './stats.ts';

const clockBody = z.strictObject({ advanceSeconds: z.number().nonnegative() });

/**
 * `/_admin/faults` (GET list, POST arm one or an array, DELETE clear), `/_admin/stats` (GET),
 * `/_admin/clock` (POST {advanceSeconds}). Not subject to faults.
 */
export function adminHandler(
  faults: FaultRegistry,
  stats: EmulatorStats,
  clock: ScaledClock,
  tokensIssued: () => number,
) {
  return (req: EmuRequest): Reply => {
    const what = `${req.method} ${req.url.pathname.replace(/\/$/, '')}`;
    try {
      switch (what) {
        case 'GET /_admin/faults':
          return json(200, { faults: faults.list() });
        case 'POST /_admin/faults':
          return json(201, { faults: faults.add(jsonBody(req) as FaultSpec) /* add() validates */ });
        case 'DELETE /_admin/faults':
          faults.clear();
          return json(204);
        case 'GET /_admin/stats':
          return json(200, { ...stats, duplicates: stats.duplicates(), tokensIssued: tokensIssued() });
        case 'POST /_admin/clock':
          clock.advance(clockBody.parse(jsonBody(req)).advanceSeconds);
          return json(200, { now: new Date(clock.now()).toISOString() });
        default:
          return json(404, { error: { code: 'NotFound', message: `No admin route ${what}` } });
      }
    } catch (e) {
      const message = e instanceof z.ZodError ? z.prettifyError(e) : (e as Error).message;
      return json(400, { error: { code: 'BadRequest', message } });
    }
  };
}
