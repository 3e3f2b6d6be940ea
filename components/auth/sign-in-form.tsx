"use client";

import { getSession, signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { EmailField, PasswordField } from "@/components/ui/credential-fields";
import { FormError } from "@/components/ui/form-error";
import { tooManyAttemptsMessage } from "@/lib/rate-limit/wait-text";
import { INCORRECT_CREDENTIALS, UNREACHABLE } from "./messages";

/** next-auth's `error` for a sign-in refused by the attempt limits (lib/auth/next-auth-handler.ts). */
const RATE_LIMITED = /^RateLimited:(\d+)$/;

export type SignInOutcome = { ok: true } | { ok: false; retryAfterSeconds?: number };

/**
 * Signs in with the credentials provider. Refused credentials, or a refusal by the attempt limits
 * (with the wait), come back as `ok: false`.
 * next-auth reports a sign-in whose CSRF token could not be fetched (e.g. while a development
 * server is still compiling its auth route) as a success without setting the session, so the
 * session is checked, and the attempt repeated once.
 */
export async function signInWithPassword(email: string, password: string): Promise<SignInOutcome> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await signIn("credentials", { email, password, redirect: false });
    const limited = RATE_LIMITED.exec(result?.error ?? "");
    if (limited) return { ok: false, retryAfterSeconds: Number(limited[1]) };
    if (!result?.ok || result.error) return { ok: false };
    if ((await getSession())?.user) return { ok: true };
  }
  return { ok: false };
}

/**
 * Signs in and, on success, moves on to `callbackUrl`. Returns the message to show when it fails:
 * `refused` when the credentials were refused, `unreachable` when the request itself failed, and
 * the wait when the attempt limits refused it.
 */
export async function signInAndContinue(
  router: ReturnType<typeof useRouter>,
  credentials: { email: string; password: string; callbackUrl: string },
  messages: { refused: string; unreachable: string },
): Promise<string | null> {
  try {
    const outcome = await signInWithPassword(credentials.email, credentials.password);
    if (!outcome.ok) {
      return outcome.retryAfterSeconds
        ? tooManyAttemptsMessage("sign-in", outcome.retryAfterSeconds)
        : messages.refused;
    }
    router.replace(credentials.callbackUrl);
    router.refresh();
    return null;
  } catch {
    return messages.unreachable;
  }
}

/** "New here? Create an account" and back: links to the other auth page, keeping `callbackUrl`. */
export function OtherAuthPageLink({
  prompt,
  label,
  path,
  callbackUrl,
}: {
  prompt: string;
  label: string;
  path: "/sign-in" | "/sign-up";
  callbackUrl: string;
}) {
  const href = callbackUrl === "/" ? path : `${path}?${new URLSearchParams({ callbackUrl })}`;
  return (
    <p className="text-center text-sm text-slate-600">
      {prompt}{" "}
      <Link href={href} className="font-medium text-indigo-600 hover:text-indigo-500 focus-visible:underline">
        {label}
      </Link>
    </p>
  );
}

/**
 * `callbackUrl` has already been checked to be a same-origin path. With JavaScript the form signs in
 * through next-auth without leaving the page; before (or without) it, the browser POSTs the form to
 * /sign-in/submit — never a GET, so the password is never in a URL. `initialError` is the message for
 * an `?error=` that route redirected back with.
 */
export function SignInForm({
  callbackUrl,
  initialError = null,
}: {
  callbackUrl: string;
  initialError?: string | null;
}) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setPending(true);
    const failure = await signInAndContinue(
      router,
      { email: email.trim(), password, callbackUrl },
      { refused: INCORRECT_CREDENTIALS, unreachable: UNREACHABLE },
    );
    if (failure) {
      setError(failure);
      setPending(false);
    }
  }

  return (
    <form method="post" action="/sign-in/submit" onSubmit={onSubmit} className="flex flex-col gap-4">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormError message={error} />
      <EmailField value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={error ? true : undefined} />
      <PasswordField
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      <Button type="submit" pending={pending} className="mt-2 w-full">
        Sign in
      </Button>
      <OtherAuthPageLink prompt="New here?" label="Create an account" path="/sign-up" callbackUrl={callbackUrl} />
    </form>
  );
}
