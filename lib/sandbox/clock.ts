/**
 * The sandbox's current instant. `SANDBOX_NOW` (an ISO date-time) pins "today" for generated
 * data, e.g. for reproducible end-to-end screenshots; unset, it is the wall clock. Token and code
 * lifetimes always use the wall clock, like the app does.
 */
export function sandboxNow(): Date {
  const pinned = process.env.SANDBOX_NOW;
  if (!pinned) return new Date();
  const date = new Date(pinned);
  if (Number.isNaN(date.getTime())) throw new Error("SANDBOX_NOW must be an ISO 8601 date-time");
  return date;
}
