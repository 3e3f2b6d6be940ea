import { json, readJson, validationError, withSession } from "@/lib/http/handlers";
import { setTimeZone, timeZoneInput } from "@/lib/metrics/time-zone";

// PUT /api/v1/settings/time-zone {timeZone: "Europe/Berlin"} → {timeZone} (the canonical IANA name)
export const PUT = withSession(async ({ request, user }) => {
  const input = timeZoneInput.safeParse(await readJson(request));
  if (!input.success) return validationError(input.error, "body");
  await setTimeZone(user.id, input.data.timeZone);
  return json({ timeZone: input.data.timeZone });
});
