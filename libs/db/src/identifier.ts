/** Schema names are interpolated into SQL and channel names, so only plain identifiers pass. */
export function assertSchema(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) {
    throw new TypeError(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  }
}
