/**
 * Builds a job id from its parts (`<job-name>-<business-id>`): BullMQ reads `:` as
 * a key separator and rejects all-digit custom ids, so both are ruled out here.
 */
export function toJobId(...parts: string[]): string {
  const id = parts.join('-').replaceAll(':', '-');
  assertJobId(id);
  return id;
}

export function assertJobId(id: string): void {
  if (id.length === 0 || id.includes(':') || /^\d+$/.test(id)) {
    throw new TypeError(`invalid job id "${id}": must be non-empty, without ":" and not all digits`);
  }
}
