// A moment in a query or body (`at`, `from`, `to`): an ISO 8601 time with a zone, brought to the
// form the server writes its own times in (Date.toISOString), so stored times compare with it as strings.
import { ValidationProblem } from './schemas.ts';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseMoment(raw: string, path: string): string {
  const ms = ISO_WITH_ZONE.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new ValidationProblem(path, 'must be an ISO 8601 time with a zone, e.g. 2026-11-01T14:02:00Z');
  return new Date(ms).toISOString();
}
