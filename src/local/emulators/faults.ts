import { z } from 'zod';

export const SERVICES = ['entra', 'keyvault', 'hdinsight', 'flink', 'genie'] as const;
/** Which emulated service a request or a job belongs to. */
export type Service = (typeof SERVICES)[number];

/**
 * Injectable faults:
 * - `throttle`: answer 429 with `Retry-After: retryAfterSeconds` (real seconds, default 1).
 * - `server-error`: answer `status` (default 503) with the service's error body.
 * - `drop`: destroy the connection without an answer.
 *   `drop` and `server-error` take `when`: 'before' (default) the request is handled, or 'after':
 *   the request takes effect (a job is created, an action starts) and only the answer is lost,
 *   which is what makes a client's retry prove its idempotency.
 * - `slow`: wait `delayMs` real milliseconds (default 2000), then answer normally.
 * - `token-expiry`: a bearer-checked request (hdinsight, keyvault) gets 401 "token expired" once;
 *   the token itself stays valid, so a client that refreshes or retries gets through.
 * - `job-fails`: the next matching job started (ARM action that starts a job, Flink jar run, Genie
 *   submit) fails `afterSeconds` emulated seconds after it starts running (default 5).
 * - `action-stuck`: the next matching ARM action (optionally only `action`), Flink savepoint/stop,
 *   or Genie job never completes: it stays IN_PROGRESS / RUNNING.
 * Request faults match on `service` and `jobName` (exact, or a glob with `*`); the job name of a
 * request is the one in its body, its `$filter`, or the job its path names. `times` is how many
 * requests or jobs it hits (default 1), or 'always'. To aim at one workflow run, put the run id
 * into the `jobName` glob (job names derive from run and task).
 */
export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'drop',
  'slow',
  'token-expiry',
  'job-fails',
  'action-stuck',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSpecSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  service: z.enum(SERVICES).optional(),
  jobName: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  times: z.union([z.number().int().positive(), z.literal('always')]).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  status: z.number().int().min(500).max(599).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  afterSeconds: z.number().nonnegative().optional(),
  when: z.enum(['before', 'after']).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: string;
  /** Hits left before the fault is spent (Infinity for 'always'). */
  remaining: number;
  hits: number;
}

/** What a fault is matched against. */
export interface FaultTarget {
  service: Service;
  jobName?: string | undefined;
  action?: string | undefined;
}

/** Exact match, or a glob where `*` stands for any characters. */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/** The faults armed on one emulator; shared by the programmatic API and `/_admin/faults`. */
export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;

  /** Arms one or more faults; throws a ZodError naming the bad field on invalid input. */
  add(spec: FaultSpec | FaultSpec[]): Fault[] {
    const specs = z.array(faultSpecSchema).parse(Array.isArray(spec) ? spec : [spec]);
    const added = specs.map((s) => ({
      ...s,
      id: `fault-${this.nextId++}`,
      remaining: s.times === 'always' ? Infinity : (s.times ?? 1),
      hits: 0,
    }));
    this.faults.push(...added);
    return added;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** Finds the first armed fault of `kind` matching `target`, and spends one hit of it. */
  take(kind: FaultKind, target: FaultTarget, when: 'before' | 'after' = 'before'): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.kind === kind &&
        (f.when ?? 'before') === when &&
        f.remaining > 0 &&
        (f.service === undefined || f.service === target.service) &&
        (f.jobName === undefined ||
          (target.jobName !== undefined && globMatches(f.jobName, target.jobName))) &&
        (f.action === undefined || f.action.toUpperCase() === target.action?.toUpperCase()),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    fault.hits += 1;
    return { ...fault };
  }
}
