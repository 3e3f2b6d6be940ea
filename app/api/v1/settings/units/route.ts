import { json, readJson, validationError, withSession } from "@/lib/http/handlers";
import { setUnitPreference, unitPreferenceInput } from "@/lib/metrics/preferences";

// PUT /api/v1/settings/units {unitSystem: "metric" | "imperial" | null} → {unitSystem}
export const PUT = withSession(async ({ request, user }) => {
  const input = unitPreferenceInput.safeParse(await readJson(request));
  if (!input.success) return validationError(input.error, "body");
  await setUnitPreference(user.id, input.data.unitSystem);
  return json({ unitSystem: input.data.unitSystem });
});
