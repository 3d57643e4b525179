// A moment as the API takes it (`at`, `from`, `to`: docs/api.md): an ISO 8601 time with a zone. Checked
// by the clients before any request, so `--at yesterday` or an `at:` input without a zone fails at once,
// naming the flag or input, rather than after a round trip.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const MOMENT_EXAMPLE = '2026-11-01T14:02:00Z';

/** Whether `text` is an ISO 8601 time with a zone that names a real moment. */
export function isMoment(text: string): boolean {
  return ISO_WITH_ZONE.test(text) && !Number.isNaN(Date.parse(text));
}
