import { NextResponse } from "next/server";
import type { SessionUser } from "@/lib/auth/session";
import { clientAddress } from "@/lib/http/client-address";
import { json, readJson, validationError } from "@/lib/http/handlers";
import { RateLimitedError } from "@/lib/rate-limit/limits";
import {
  changePassword,
  changePasswordInput,
  SamePasswordError,
  signOutEverywhere,
  WrongPasswordError,
} from "./account";
import { clearSessionCookie, setSessionCookie } from "./session-cookie";
import { WeakPasswordError } from "./users";

/** The HTTP side of the account basics (routes under /api/v1/account stay one line each). */

type Args = { request: Request; user: SessionUser };

function fieldError(status: number, field: string, message: string, type: string, extra: object = {}): Response {
  return json({ detail: [{ type, loc: ["body", field], msg: message, ...extra }] }, { status });
}

/** POST {currentPassword, newPassword}: 200 with this browser's cookie re-issued; every other session ends. */
export async function changePasswordRoute({ request, user }: Args): Promise<Response> {
  const input = changePasswordInput.safeParse(await readJson(request));
  if (!input.success) return validationError(input.error, "body");
  try {
    const updated = await changePassword(user.id, input.data, clientAddress(request.headers));
    const response = NextResponse.json(
      { detail: "Password changed. Every other session has been signed out." },
      { headers: { "cache-control": "no-store" } },
    );
    return await setSessionCookie(response, updated);
  } catch (error) {
    if (error instanceof WrongPasswordError) return fieldError(400, "currentPassword", error.message, "wrong_password");
    if (error instanceof SamePasswordError) return fieldError(422, "newPassword", error.message, "same_password");
    if (error instanceof WeakPasswordError)
      return fieldError(422, "newPassword", error.message, "password_policy", { reason: error.verdict.reason });
    if (error instanceof RateLimitedError)
      return json(
        { detail: error.message },
        { status: 429, headers: { "retry-after": String(error.retryAfterSeconds) } },
      );
    throw error;
  }
}

/** POST (no body): every session of the user ends, this one too; this browser's cookie is removed. */
export async function signOutEverywhereRoute({ user }: Args): Promise<Response> {
  await signOutEverywhere(user.id);
  return clearSessionCookie(
    NextResponse.json({ detail: "Signed out everywhere." }, { headers: { "cache-control": "no-store" } }),
  );
}
