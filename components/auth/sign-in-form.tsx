"use client";

import { getSession, signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";

export const INCORRECT_CREDENTIALS = "Email or password is incorrect";

/** Signs in with the credentials provider; false when the credentials were refused. */
/**
 * next-auth reports a sign-in whose CSRF token could not be fetched (e.g. while a development
 * server is still compiling its auth route) as a success without setting the session, so the
 * session is checked, and the attempt repeated once.
 */
export async function signInWithPassword(email: string, password: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result?.ok || result.error) return false;
    if ((await getSession())?.user) return true;
  }
  return false;
}

export function FormError({ message }: { message: string | null }) {
  return (
    <p role="alert" aria-live="assertive" className={message ? "rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" : "sr-only"}>
      {message ?? ""}
    </p>
  );
}

/** `callbackUrl` has already been checked to be a same-origin path. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      if (!(await signInWithPassword(email.trim(), password))) {
        setError(INCORRECT_CREDENTIALS);
        setPending(false);
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  const signUpHref = callbackUrl === "/" ? "/sign-up" : `/sign-up?${new URLSearchParams({ callbackUrl })}`;

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
        aria-invalid={error ? true : undefined}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      <Button type="submit" pending={pending} className="mt-2 w-full">
        Sign in
      </Button>
      <p className="text-center text-sm text-slate-600">
        New here?{" "}
        <Link href={signUpHref} className="font-medium text-indigo-600 hover:text-indigo-500 focus-visible:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
