import { MAX_REQUEST_BYTES } from '../run-request.ts';
import { type ApiReply, fail, invalidFields } from './http-errors.ts';

/**
 * A request body read as FastAPI reads one: over MAX_REQUEST_BYTES is 413, text that is not JSON or
 * not an object is 422, and (for strict bodies) each unknown or mistyped field is a 422 entry.
 */
export function readJsonBody(
  text: string | undefined,
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: ApiReply } {
  if (text === undefined || text.trim() === '') return { ok: true, value: {} };
  if (Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES) {
    return { ok: false, reply: fail(413, `the request body is larger than ${MAX_REQUEST_BYTES} bytes`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reply: invalidFields([{ field: '', message: 'JSON decode error' }]) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      reply: invalidFields([{ field: '', message: 'Input should be a valid dictionary' }]),
    };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

type FieldType = 'boolean' | 'string' | 'string|null';

const fits = (value: unknown, type: FieldType): boolean =>
  type === 'boolean'
    ? typeof value === 'boolean'
    : typeof value === 'string' || (type === 'string|null' && value === null);

export function strictBody(
  text: string | undefined,
  fields: Record<string, FieldType>,
  required: string[],
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: ApiReply } {
  const read = readJsonBody(text);
  if (!read.ok) return read;
  const errors: Array<{ field: string; message: string }> = [];
  for (const [key, value] of Object.entries(read.value)) {
    const type = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (type === undefined) errors.push({ field: key, message: 'Extra inputs are not permitted' });
    else if (!fits(value, type)) errors.push({ field: key, message: `Input should be a valid ${type}` });
  }
  for (const key of required)
    if (!Object.hasOwn(read.value, key)) errors.push({ field: key, message: 'Field required' });
  return errors.length > 0 ? { ok: false, reply: invalidFields(errors) } : read;
}
