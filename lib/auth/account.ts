import { hash, verify } from "@node-rs/argon2";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { UNIDENTIFIED_CLIENT } from "@/lib/http/client-address";
import { type Attempt, giveBackAttempt, LIMITS, takeAttempt } from "@/lib/rate-limit/limits";
import { checkPassword, MAX_PASSWORD_LENGTH } from "./password-policy";
import type { SessionSubject } from "./session-cookie";
import { WeakPasswordError } from "./users";

/**
 * Account basics: change password and sign out everywhere. Both bump `users.session_version`, which
 * every session token carries (`sv`): a session issued before the bump no longer signs anybody in.
 * The caller re-issues the current browser's cookie after a password change, so only the *other*
 * sessions end.
 */

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().max(MAX_PASSWORD_LENGTH),
});

/** The current password given does not match. */
export class WrongPasswordError extends Error {
  override name = "WrongPasswordError";
  constructor() {
    super("Your current password is not correct");
  }
}

/** The new password equals the current one. */
export class SamePasswordError extends Error {
  override name = "SamePasswordError";
  constructor() {
    super("Choose a password different from your current one");
  }
}

/**
 * Changes the user's password. The current password is checked first, with its attempts counted
 * like sign-in failures for the account (so a stolen session cannot guess it faster than sign-in
 * allows: RateLimitedError); then the sign-up policy applies to the new one (WeakPasswordError).
 * Returns the user with the new session version, for re-issuing the current session's cookie.
 */
export async function changePassword(
  userId: string,
  input: z.infer<typeof changePasswordInput>,
  clientAddress: string = UNIDENTIFIED_CLIENT,
): Promise<SessionSubject> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new WrongPasswordError();
  const attempts: Attempt[] = [
    [LIMITS.signInAccount, user.email],
    [LIMITS.signInAddress, clientAddress],
  ];
  await takeAttempt(attempts, "password");
  const ok = await verify(user.passwordHash, input.currentPassword).catch(() => false);
  if (!ok) throw new WrongPasswordError();
  await giveBackAttempt(attempts);
  if (input.newPassword === input.currentPassword) throw new SamePasswordError();
  const verdict = checkPassword(input.newPassword, { email: user.email });
  if (verdict) throw new WeakPasswordError(verdict);
  const passwordHash = await hash(input.newPassword);
  const [updated] = await db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ id: users.id, email: users.email, sessionVersion: users.sessionVersion });
  return updated!;
}

/** Ends every session of the user, this one included. */
export async function signOutEverywhere(userId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}
