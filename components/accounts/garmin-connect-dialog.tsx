"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { ApiError, apiFetch } from "@/components/api-fetch";
import { connectionsQuery, queryKeys } from "@/components/queries";
import { Button } from "@/components/ui/button";
import { EmailField, PasswordField } from "@/components/ui/credential-fields";
import { FormError } from "@/components/ui/form-error";
import { TextField } from "@/components/ui/text-field";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import type { SessionConnectDialog } from "./session-dialog-props";

type LoginAnswer = { status: "connected" } | { status: "mfa_required"; challenge_id: string; expires_at: string };

type Step = { kind: "credentials" } | { kind: "code"; challengeId: string; expiresAt: string };

const CODE_PATTERN = /^\d{6}$/;

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Please try again.";
}

/**
 * Connect Garmin: Garmin has no OAuth, so the user's Garmin email and password are sent once to
 * our server, which signs in to Garmin and keeps only the resulting session tokens (encrypted).
 * When Garmin asks for a verification code, a second step takes it. The password leaves this
 * component's state as soon as the request is on its way.
 */
export const GarminConnectDialog: SessionConnectDialog = ({ provider, open, onOpenChange }) => {
  const queryClient = useQueryClient();
  const connections = useQuery({ ...connectionsQuery(), enabled: open });
  const sandbox = connections.data?.connections.find((c) => c.provider === provider.provider)?.mode === "sandbox";

  const [step, setStep] = useState<Step>({ kind: "credentials" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  function reset() {
    setStep({ kind: "credentials" });
    setPassword("");
    setCode("");
    setError(null);
    setPending(false);
  }

  function changeOpen(next: boolean) {
    if (!next) reset();
    onOpenChange(next);
  }

  async function connected() {
    toast.success("Garmin connected", { description: "Your last 30 days are syncing now." });
    changeOpen(false);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.connections }),
      queryClient.invalidateQueries({ queryKey: queryKeys.dashboard }),
    ]);
  }

  async function submitCredentials(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setPending(true);
    const request = apiFetch<LoginAnswer>(`/api/v1/session/${provider.provider}/login`, {
      method: "POST",
      body: JSON.stringify({ email: email.trim(), password }),
    });
    // The password has been handed to the request: keep it no longer.
    setPassword("");
    try {
      const answer = await request;
      if (answer.status === "connected") {
        await connected();
        return;
      }
      setStep({ kind: "code", challengeId: answer.challenge_id, expiresAt: answer.expires_at });
      setCode("");
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setPending(false);
    }
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== "code") return;
    const trimmed = code.trim();
    if (!CODE_PATTERN.test(trimmed)) {
      setError("Enter the 6-digit code from Garmin's email.");
      return;
    }
    setError(null);
    setPending(true);
    try {
      await apiFetch<{ status: "connected" }>(`/api/v1/session/${provider.provider}/mfa`, {
        method: "POST",
        body: JSON.stringify({ challenge_id: step.challengeId, code: trimmed }),
      });
      await connected();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 410) {
        // The sign-in is over (expired, or too many wrong codes): start again from the password.
        setStep({ kind: "credentials" });
        setCode("");
      }
      setError(messageOf(failure));
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog.Root open={open} onOpenChange={changeOpen}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content className="fixed top-1/2 left-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
          <Dialog.Title className="text-lg font-semibold text-slate-900">
            {step.kind === "credentials" ? "Connect Garmin" : "Enter the code Garmin sent you"}
          </Dialog.Title>

          {step.kind === "credentials" ? (
            <>
              <Dialog.Description asChild>
                <div className="mt-2 space-y-2 text-sm text-slate-600">
                  <p>
                    Garmin has no OAuth sign-in for apps like this one, so connecting Garmin uses a session flow: your
                    credentials are used once to establish a Garmin session. Your password is not stored, and the
                    session tokens are stored encrypted at rest.
                  </p>
                </div>
              </Dialog.Description>
              {/* method="post": a form carrying a password must never submit by GET (the password would be in the URL). */}
              <form
                method="post"
                action={`/api/v1/session/${provider.provider}/login`}
                onSubmit={submitCredentials}
                className="mt-4 flex flex-col gap-4"
                noValidate
              >
                <FormError message={error} />
                <EmailField
                  name="username"
                  autoComplete="username"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  aria-invalid={error ? true : undefined}
                />
                <PasswordField
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  aria-invalid={error ? true : undefined}
                />
                {sandbox && (
                  <p className="rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-900">
                    Sandbox: sign in as {GARMIN_SANDBOX_EMAILS.plain}, {GARMIN_SANDBOX_EMAILS.mfa} (asks for a code: use{" "}
                    {GARMIN_SANDBOX_MFA_CODE}) or {GARMIN_SANDBOX_EMAILS.locked} (locked), password{" "}
                    {GARMIN_SANDBOX_PASSWORD}.
                  </p>
                )}
                <div className="flex justify-end gap-2">
                  <Dialog.Close asChild>
                    <Button variant="secondary">Cancel</Button>
                  </Dialog.Close>
                  <Button type="submit" pending={pending} disabled={!email.trim() || !password}>
                    Sign in to Garmin
                  </Button>
                </div>
              </form>
            </>
          ) : (
            <>
              <Dialog.Description asChild>
                <div className="mt-2 text-sm text-slate-600">
                  <p>Garmin sent a 6-digit verification code to your email. It is valid for a few minutes.</p>
                </div>
              </Dialog.Description>
              <form
                method="post"
                action={`/api/v1/session/${provider.provider}/mfa`}
                onSubmit={submitCode}
                className="mt-4 flex flex-col gap-4"
                noValidate
              >
                <FormError message={error} />
                <TextField
                  label="Verification code"
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  required
                  // The code step replaces the password step inside the open dialog; focus must follow it.
                  // eslint-disable-next-line jsx-a11y/no-autofocus
                  autoFocus
                  value={code}
                  onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
                  aria-invalid={error ? true : undefined}
                  hint={sandbox ? `Sandbox: the code is ${GARMIN_SANDBOX_MFA_CODE}.` : undefined}
                />
                <div className="flex justify-end gap-2">
                  <Button variant="secondary" onClick={reset} disabled={pending}>
                    Back
                  </Button>
                  <Button type="submit" pending={pending} disabled={code.length !== 6}>
                    Verify
                  </Button>
                </div>
              </form>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
};
