import { hash, verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { UNIDENTIFIED_CLIENT } from "@/lib/http/client-address";
import { type Attempt, clearAttempts, giveBackAttempt, LIMITS, takeAttempt } from "@/lib/rate-limit/limits";
import {
  checkPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  PASSWORD_MESSAGES,
  type PasswordVerdict,
} from "./password-policy";

/**
 * The shape of a sign-up: a valid email and a password of an acceptable length. Whether the
 * password is too easy to guess is decided by `registerUser`, after the attempt has been counted.
 */
export const credentialsSchema = z.object({
  email: z
    .email("Enter a valid email address")
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, PASSWORD_MESSAGES.too_short)
    .max(MAX_PASSWORD_LENGTH, PASSWORD_MESSAGES.too_long),
});

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
  constructor() {
    super("An account with this email already exists");
  }
}

/** A new password the policy refuses; `message` says why. */
export class WeakPasswordError extends Error {
  override name = "WeakPasswordError";
  constructor(readonly verdict: PasswordVerdict) {
    super(verdict.message);
  }
}

/**
 * Sign-up: counts the attempt (per email and per client address; throws RateLimitedError) before
 * anything costly, applies the password policy (WeakPasswordError), then creates the account
 * (EmailTakenError).
 */
export async function registerUser(
  input: z.infer<typeof credentialsSchema>,
  clientAddress: string = UNIDENTIFIED_CLIENT,
): Promise<{ id: string; email: string }> {
  await takeAttempt(
    [
      [LIMITS.signUpAccount, input.email],
      [LIMITS.signUpAddress, clientAddress],
    ],
    "sign-up",
  );
  const verdict = checkPassword(input.password, { email: input.email });
  if (verdict) throw new WeakPasswordError(verdict);
  return createUser(input);
}

/** argon2id with the library's defaults (OWASP-recommended parameters). No policy or limit: see registerUser. */
export async function createUser(input: z.infer<typeof credentialsSchema>): Promise<{ id: string; email: string }> {
  const db = await getDb();
  const passwordHash = await hash(input.password);
  const [row] = await db
    .insert(users)
    .values({ email: input.email, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id, email: users.email });
  if (!row) throw new EmailTakenError();
  return row;
}

// Verifying against a dummy hash when the email is unknown keeps the timing of both answers alike.
let dummyHash: Promise<string> | undefined;

/**
 * Sign-in: the user when the email and password match, else null. Every sign-in path goes through
 * here (next-auth's credentials callback and the no-JavaScript form). The attempt is counted per
 * account and per client address *before* argon2 runs (throws RateLimitedError once a budget is
 * used up, even for the right password); a success clears the account's failures.
 */
export async function verifyCredentials(
  email: unknown,
  password: unknown,
  clientAddress: string = UNIDENTIFIED_CLIENT,
): Promise<{ id: string; email: string; sessionVersion: number } | null> {
  const parsed = z
    .object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) })
    .safeParse({ email, password });
  if (!parsed.success) return null;
  const account = parsed.data.email.toLowerCase();
  const attempts: Attempt[] = [
    [LIMITS.signInAccount, account],
    [LIMITS.signInAddress, clientAddress],
  ];
  await takeAttempt(attempts, "sign-in");
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, account));
  if (!user) {
    dummyHash ??= hash("not-a-real-password-for-timing");
    await verify(await dummyHash, parsed.data.password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, parsed.data.password).catch(() => false);
  if (!ok) return null;
  await Promise.all([clearAttempts([attempts[0]!]), giveBackAttempt([attempts[1]!])]);
  return { id: user.id, email: user.email, sessionVersion: user.sessionVersion };
}

/** The user with their current session version (sessions carrying another version have ended). */
export async function findUserById(
  id: string,
): Promise<{ id: string; email: string; sessionVersion: number } | undefined> {
  const db = await getDb();
  const [user] = await db
    .select({ id: users.id, email: users.email, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.id, id));
  return user;
}
