// How the page writes times: in UTC with the zone named, since the server
// does not know the reader's zone (ISO 8601 date and time to the minute).
export function when(ms: number | null | undefined, never = "never"): string {
  if (ms === null || ms === undefined) return never;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
