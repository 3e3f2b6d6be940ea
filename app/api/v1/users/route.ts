import { createUser, credentialsSchema, EmailTakenError } from "@/lib/auth/users";
import { detail, json, readJson, validationError } from "@/lib/http/handlers";

// POST /api/v1/users { email, password } → 201 { id, email } (sign-up; no session needed)
export async function POST(request: Request) {
  const parsed = credentialsSchema.safeParse(await readJson(request));
  if (!parsed.success) return validationError(parsed.error, "body");
  try {
    return json(await createUser(parsed.data), { status: 201 });
  } catch (error) {
    if (error instanceof EmailTakenError) return detail(409, error.message);
    throw error;
  }
}
