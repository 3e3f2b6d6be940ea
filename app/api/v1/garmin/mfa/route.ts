import { z } from "zod";
import { completeSessionMfa, SESSION_FAILURE_STATUS, SessionConnectError } from "@/lib/connections/session-connect";
import { json, readJson, validationError, withSession } from "@/lib/http/handlers";

const body = z.object({
  challenge_id: z.string().min(1).max(128),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code"),
});

// POST /api/v1/garmin/mfa { challenge_id, code } → { status: "connected" }; 400 wrong code, 410 expired challenge
export const POST = withSession(
  async ({ request, user }) => {
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) return validationError(parsed.error, "body");
    try {
      await completeSessionMfa({ userId: user.id, challengeId: parsed.data.challenge_id, code: parsed.data.code });
      return json({ status: "connected" });
    } catch (error) {
      if (error instanceof SessionConnectError) {
        const attempts = error.details.attemptsLeft === undefined ? {} : { attempts_left: error.details.attemptsLeft };
        const headers: Record<string, string> = error.details.retryAfterSeconds
          ? { "retry-after": String(error.details.retryAfterSeconds) }
          : {};
        return json({ detail: error.message, ...attempts }, { status: SESSION_FAILURE_STATUS[error.reason], headers });
      }
      throw error;
    }
  },
  { json: true },
);
