"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ApiError, apiFetch } from "@/components/api-fetch";
import { Button } from "@/components/ui/button";
import { EmailField, PasswordField } from "@/components/ui/credential-fields";
import { FormError } from "@/components/ui/form-error";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth/password-rules";
import { EMAIL_TAKEN } from "./messages";
import { OtherAuthPageLink, signInAndContinue } from "./sign-in-form";

/**
 * With JavaScript: POST /api/v1/users, then sign in through next-auth. Before (or without) it, the
 * browser POSTs the form to /sign-up/submit, which does both and redirects; never a GET. The
 * server's password policy (length, common passwords) speaks through the error line either way.
 */
export function SignUpForm({
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
    const trimmedEmail = email.trim();
    try {
      await apiFetch<{ id: string; email: string }>("/api/v1/users", {
        method: "POST",
        body: JSON.stringify({ email: trimmedEmail, password }),
      });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409 ? EMAIL_TAKEN : err instanceof Error ? err.message : String(err),
      );
      setPending(false);
      return;
    }
    const failure = await signInAndContinue(
      router,
      { email: trimmedEmail, password, callbackUrl },
      {
        refused: "Your account was created, but signing in failed. Please sign in.",
        unreachable: "Your account was created, but we could not sign you in. Please sign in.",
      },
    );
    if (failure) {
      setError(failure);
      setPending(false);
    }
  }

  return (
    <form method="post" action="/sign-up/submit" onSubmit={onSubmit} className="flex flex-col gap-4">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormError message={error} />
      <EmailField value={email} onChange={(e) => setEmail(e.target.value)} />
      <PasswordField
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        maxLength={MAX_PASSWORD_LENGTH}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters, and not a common password. A phrase of unrelated words works well.`}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      <Button type="submit" pending={pending} className="mt-2 w-full">
        Create account
      </Button>
      <OtherAuthPageLink prompt="Already have an account?" label="Sign in" path="/sign-in" callbackUrl={callbackUrl} />
    </form>
  );
}
