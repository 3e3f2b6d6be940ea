import { NextResponse } from "next/server";
import { config } from "@/lib/config";
import { detail } from "@/lib/http/handlers";
import { clientAddress } from "@/lib/http/client-address";
import { isSameOriginRequest } from "@/lib/http/csrf";
import { sameOriginPath } from "@/lib/http/safe-redirect";
import { RateLimitedError } from "@/lib/rate-limit/limits";
import { setSessionCookie } from "./session-cookie";
import { checkPassword } from "./password-policy";
import { credentialsSchema, EmailTakenError, registerUser, verifyCredentials, WeakPasswordError } from "./users";

/**
 * The sign-in and sign-up forms posted the plain HTML way (before or without the page's
 * JavaScript): `POST /sign-in/submit` and `POST /sign-up/submit`, form-encoded. The password
 * travels in the body only, never in a URL. Same checks and limits as the JavaScript path; the
 * answer is a 303 to the (normalised, same-origin) callbackUrl with next-auth's session cookie, or
 * back to the form with an error code the page turns into a message (never free text in the URL,
 * and never the email or password).
 */

export type AuthPage = "/sign-in" | "/sign-up";

/** Error codes in `?error=` on the auth pages. */
export type AuthFormError = "credentials" | "rate_limited" | "invalid_email" | "password" | "email_taken";

interface PasswordFormFields {
  email: string;
  password: string;
  callbackUrl: string;
}

type ReadResult = { ok: true; fields: PasswordFormFields } | { ok: false; response: Response };

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];
const MAX_FORM_BYTES = 16 * 1024;

/** Origin check and form parsing shared by both routes; a refusal is a 4xx `{detail}`. */
export async function readPasswordForm(request: Request): Promise<ReadResult> {
  // A cross-site form must not sign anybody in (login CSRF).
  if (!isSameOriginRequest(request))
    return { ok: false, response: detail(403, "Cross-origin form submission refused") };
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) return { ok: false, response: detail(415, "Send the form as a form") };
  if (Number(request.headers.get("content-length") ?? 0) > MAX_FORM_BYTES)
    return { ok: false, response: detail(413, "Form too large") };
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { ok: false, response: detail(400, "The form could not be read") };
  }
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    ok: true,
    fields: {
      email: text("email").trim(),
      password: text("password"),
      callbackUrl: sameOriginPath(text("callbackUrl"), config().appUrl) ?? "/",
    },
  };
}

function seeOther(pathWithQuery: string): NextResponse {
  const response = NextResponse.redirect(new URL(pathWithQuery, config().appUrl), 303);
  response.headers.set("cache-control", "no-store");
  return response;
}

/** Back to the form, with an error code (and its details) and the callbackUrl kept. */
export function backToForm(
  page: AuthPage,
  error: AuthFormError,
  callbackUrl: string,
  extra: Record<string, string> = {},
): NextResponse {
  const query = new URLSearchParams({ error, ...extra });
  if (callbackUrl !== "/") query.set("callbackUrl", callbackUrl);
  return seeOther(`${page}?${query}`);
}

export async function submitSignInForm(request: Request): Promise<Response> {
  const read = await readPasswordForm(request);
  if (!read.ok) return read.response;
  const { email, password, callbackUrl } = read.fields;
  try {
    const user = await verifyCredentials(email, password, clientAddress(request.headers));
    if (!user) return backToForm("/sign-in", "credentials", callbackUrl);
    return setSessionCookie(seeOther(callbackUrl), user);
  } catch (error) {
    if (error instanceof RateLimitedError)
      return backToForm("/sign-in", "rate_limited", callbackUrl, { retry_after: String(error.retryAfterSeconds) });
    throw error;
  }
}

export async function submitSignUpForm(request: Request): Promise<Response> {
  const read = await readPasswordForm(request);
  if (!read.ok) return read.response;
  const { callbackUrl } = read.fields;
  const parsed = credentialsSchema.safeParse({ email: read.fields.email, password: read.fields.password });
  if (!parsed.success) {
    if (parsed.error.issues.some((issue) => issue.path[0] === "email"))
      return backToForm("/sign-up", "invalid_email", callbackUrl);
    const verdict = checkPassword(read.fields.password);
    return backToForm("/sign-up", "password", callbackUrl, { reason: verdict?.reason ?? "too_short" });
  }
  try {
    const user = await registerUser(parsed.data, clientAddress(request.headers));
    // A new account starts at session version 0.
    return setSessionCookie(seeOther(callbackUrl), { ...user, sessionVersion: 0 });
  } catch (error) {
    if (error instanceof RateLimitedError)
      return backToForm("/sign-up", "rate_limited", callbackUrl, { retry_after: String(error.retryAfterSeconds) });
    if (error instanceof WeakPasswordError)
      return backToForm("/sign-up", "password", callbackUrl, { reason: error.verdict.reason });
    if (error instanceof EmailTakenError) return backToForm("/sign-up", "email_taken", callbackUrl);
    throw error;
  }
}
