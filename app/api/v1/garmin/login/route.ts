import { z } from "zod";
import { SESSION_FAILURE_STATUS, SessionConnectError, startSessionLogin } from "@/lib/connections/session-connect";
import { json, readJson, validationError, withSession } from "@/lib/http/handlers";

const body = z.object({
  email: z.string().trim().min(1, "Enter your Garmin email").max(320),
  password: z.string().min(1, "Enter your Garmin password").max(1024),
});

// POST /api/v1/garmin/login { email, password } → { status: "connected" } | { status: "mfa_required", challenge_id, expires_at }
// The password is passed on to Garmin once and never stored or echoed.
export const POST = withSession(
  async ({ request, user }) => {
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) return validationError(parsed.error, "body");
    try {
      const result = await startSessionLogin({ userId: user.id, providerId: "garmin", ...parsed.data });
      if (result.status === "connected") return json({ status: "connected" });
      return json({
        status: "mfa_required",
        challenge_id: result.challengeId,
        expires_at: result.expiresAt.toISOString(),
      });
    } catch (error) {
      if (error instanceof SessionConnectError) {
        const headers: Record<string, string> = error.details.retryAfterSeconds
          ? { "retry-after": String(error.details.retryAfterSeconds) }
          : {};
        return json({ detail: error.message }, { status: SESSION_FAILURE_STATUS[error.reason], headers });
      }
      throw error;
    }
  },
  { json: true },
);
