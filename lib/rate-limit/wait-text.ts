/** "30 seconds", "1 minute", "12 minutes": how long to wait, for messages (client and server). */
export function waitText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 60) {
    const s = Math.max(1, Math.ceil(Number.isFinite(seconds) ? seconds : 60));
    return s === 1 ? "1 second" : `${s} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** The message for a refused attempt; `what` names the attempts ("sign-in", "Garmin sign-in"). */
export function tooManyAttemptsMessage(what: string, retryAfterSeconds: number): string {
  return `Too many ${what} attempts. Try again in ${waitText(retryAfterSeconds)}.`;
}
