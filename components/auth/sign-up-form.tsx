"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ApiError, apiFetch } from "@/components/api-fetch";
import { Button } from "@/components/ui/button";
import { EmailField, PasswordField } from "@/components/ui/credential-fields";
import { FormError } from "@/components/ui/form-error";
import { OtherAuthPageLink, signInAndContinue } from "./sign-in-form";

export const MIN_PASSWORD_LENGTH = 10;
export const EMAIL_TAKEN = "An account with this email already exists";

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
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
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      <FormError message={error} />
      <EmailField value={email} onChange={(e) => setEmail(e.target.value)} />
      <PasswordField
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" pending={pending} className="mt-2 w-full">
        Create account
      </Button>
      <OtherAuthPageLink prompt="Already have an account?" label="Sign in" path="/sign-in" callbackUrl={callbackUrl} />
    </form>
  );
}
