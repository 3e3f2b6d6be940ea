import { hash, verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";

export const credentialsSchema = z.object({
  email: z
    .email("Enter a valid email address")
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  password: z
    .string()
    .min(10, "Password must be at least 10 characters")
    .max(128, "Password must be at most 128 characters"),
});

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
  constructor() {
    super("An account with this email already exists");
  }
}

/** argon2id with the library's defaults (OWASP-recommended parameters). */
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

export async function verifyCredentials(
  email: unknown,
  password: unknown,
): Promise<{ id: string; email: string } | null> {
  const parsed = z
    .object({ email: z.string().max(254), password: z.string().min(1).max(128) })
    .safeParse({ email, password });
  if (!parsed.success) return null;
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, parsed.data.email.trim().toLowerCase()));
  if (!user) {
    dummyHash ??= hash("not-a-real-password-for-timing");
    await verify(await dummyHash, parsed.data.password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, parsed.data.password).catch(() => false);
  return ok ? { id: user.id, email: user.email } : null;
}

export async function findUserById(id: string): Promise<{ id: string; email: string } | undefined> {
  const db = await getDb();
  const [user] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, id));
  return user;
}
