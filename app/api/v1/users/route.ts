import { credentialsSchema, EmailTakenError, registerUser, WeakPasswordError } from "@/lib/auth/users";
import { clientAddress } from "@/lib/http/client-address";
import { RateLimitedError } from "@/lib/rate-limit/limits";
import { detail, json, readJson, refuseCrossSite, validationError } from "@/lib/http/handlers";

// POST /api/v1/users { email, password } → 201 { id, email } (sign-up; no session needed, but from our own pages)
export async function POST(request: Request) {
  const refused = refuseCrossSite(request, { json: true });
  if (refused) return refused;
  const parsed = credentialsSchema.safeParse(await readJson(request));
  if (!parsed.success) return validationError(parsed.error, "body");
  try {
    return json(await registerUser(parsed.data, clientAddress(request.headers)), { status: 201 });
  } catch (error) {
    if (error instanceof EmailTakenError) return detail(409, error.message);
    if (error instanceof WeakPasswordError) {
      const issue = {
        type: "password_policy",
        loc: ["body", "password"],
        msg: error.message,
        reason: error.verdict.reason,
      };
      return json({ detail: [issue] }, { status: 422 });
    }
    if (error instanceof RateLimitedError)
      return json(
        { detail: error.message },
        { status: 429, headers: { "retry-after": String(error.retryAfterSeconds) } },
      );
    throw error;
  }
}
