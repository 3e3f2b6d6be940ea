import { z } from "zod";
import {
  completeSessionMfa,
  SESSION_FAILURE_STATUS,
  SessionConnectError,
  startSessionLogin,
} from "@/lib/connections/session-connect";
import { clientAddress } from "@/lib/http/client-address";
import { json, readJson, validationError, withSession } from "@/lib/http/handlers";
import { getProvider } from "@/lib/providers";
import type { SessionProvider } from "@/lib/providers/types";

/**
 * The sign-in routes of every session-kind provider (`/api/v1/session/{provider}/login` and
 * `/mfa`), driven by the provider module's auth kind: an unknown provider answers 404, an OAuth
 * provider 400 (the shapes of the OAuth authorize route). `/api/v1/garmin/…` are the same handlers
 * with the provider fixed. withSession checks the session and the origin.
 */

type ProviderOf = (params: Record<string, string>) => string;

function failure(error: SessionConnectError): Response {
  const attempts = error.details.attemptsLeft === undefined ? {} : { attempts_left: error.details.attemptsLeft };
  const headers: Record<string, string> = error.details.retryAfterSeconds
    ? { "retry-after": String(error.details.retryAfterSeconds) }
    : {};
  return json({ detail: error.message, ...attempts }, { status: SESSION_FAILURE_STATUS[error.reason], headers });
}

/** The session provider named in the path, or the 404/400 answer. */
function sessionProvider(id: string): SessionProvider | Response {
  const provider = getProvider(id);
  if (!provider) return failure(new SessionConnectError("unknown_provider", id));
  if (provider.kind !== "session") return failure(new SessionConnectError("not_session_provider", provider.name));
  return provider;
}

// POST …/login { email, password } → { status: "connected" } | { status: "mfa_required", challenge_id, expires_at }
// The password is passed on to the provider once and never stored or echoed.
export function sessionLoginRoute(providerOf: ProviderOf) {
  return withSession<Record<string, string>>(
    async ({ request, user, params }) => {
      const provider = sessionProvider(providerOf(params));
      if (provider instanceof Response) return provider;
      const body = z.object({
        email: z.string().trim().min(1, `Enter your ${provider.name} email`).max(320),
        password: z.string().min(1, `Enter your ${provider.name} password`).max(1024),
      });
      const parsed = body.safeParse(await readJson(request));
      if (!parsed.success) return validationError(parsed.error, "body");
      try {
        const result = await startSessionLogin({
          userId: user.id,
          providerId: provider.id,
          clientAddress: clientAddress(request.headers),
          ...parsed.data,
        });
        if (result.status === "connected") return json({ status: "connected" });
        return json({
          status: "mfa_required",
          challenge_id: result.challengeId,
          expires_at: result.expiresAt.toISOString(),
        });
      } catch (error) {
        if (error instanceof SessionConnectError) return failure(error);
        throw error;
      }
    },
    { json: true },
  );
}

const mfaBody = z.object({
  challenge_id: z.string().min(1).max(128),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code"),
});

// POST …/mfa { challenge_id, code } → { status: "connected" }; 400 wrong code, 410 expired challenge
export function sessionMfaRoute(providerOf: ProviderOf) {
  return withSession<Record<string, string>>(
    async ({ request, user, params }) => {
      const provider = sessionProvider(providerOf(params));
      if (provider instanceof Response) return provider;
      const parsed = mfaBody.safeParse(await readJson(request));
      if (!parsed.success) return validationError(parsed.error, "body");
      try {
        await completeSessionMfa({
          userId: user.id,
          challengeId: parsed.data.challenge_id,
          code: parsed.data.code,
          clientAddress: clientAddress(request.headers),
        });
        return json({ status: "connected" });
      } catch (error) {
        if (error instanceof SessionConnectError) return failure(error);
        throw error;
      }
    },
    { json: true },
  );
}
