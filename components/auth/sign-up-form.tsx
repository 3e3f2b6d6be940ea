"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ApiError, apiFetch } from "@/components/api-fetch";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { FormError, signInWithPassword } from "./sign-in-form";

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
      setError(err instanceof ApiError && err.status === 409 ? EMAIL_TAKEN : err instanceof Error ? err.message : String(err));
      setPending(false);
      return;
    }
    try {
      if (!(await signInWithPassword(trimmedEmail, password))) {
        setError("Your account was created, but signing in failed. Please sign in.");
        setPending(false);
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    } catch {
      setError("Your account was created, but we could not sign you in. Please sign in.");
      setPending(false);
    }
  }

  const signInHref = callbackUrl === "/" ? "/sign-in" : `/sign-in?${new URLSearchParams({ callbackUrl })}`;

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4">
      <FormError message={error} />
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD_LENGTH}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" pending={pending} className="mt-2 w-full">
        Create account
      </Button>
      <p className="text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={signInHref} className="font-medium text-indigo-600 hover:text-indigo-500 focus-visible:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
