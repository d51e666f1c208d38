/** Airflow's list parameters: limit (default 50, at most `maxLimit`), offset, order_by (`-` for descending). */
export interface ListQuery {
  limit: number;
  offset: number;
  orderBy: string;
  descending: boolean;
}

const COUNT = /^(0|[1-9][0-9]{0,8})$/;

export function listQuery(
  query: URLSearchParams,
  orderable: readonly string[],
  defaultOrder: string,
  maxLimit = 100,
): ({ ok: true } & ListQuery) | { ok: false; errors: Array<{ field: string; message: string }> } {
  const errors: Array<{ field: string; message: string }> = [];
  const count = (name: string, fallback: number, max: number): number => {
    const text = query.get(name);
    if (text === null) return fallback;
    if (!COUNT.test(text) || Number(text) > max) {
      errors.push({ field: name, message: `must be an integer from 0 to ${max}` });
      return fallback;
    }
    return Number(text);
  };
  const limit = count('limit', 50, maxLimit);
  const offset = count('offset', 0, 1_000_000_000);
  const order = query.get('order_by') ?? defaultOrder;
  const descending = order.startsWith('-');
  const orderBy = descending ? order.slice(1) : order;
  if (!orderable.includes(orderBy)) {
    errors.push({
      field: 'order_by',
      message: `must be one of ${orderable.join(', ')} (with - for descending)`,
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, limit, offset, orderBy, descending };
}

export const page = <T>(items: T[], q: ListQuery): T[] => items.slice(q.offset, q.offset + q.limit);
