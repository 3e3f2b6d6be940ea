import { encode } from "next-auth/jwt";
import { createUser } from "@/lib/auth/users";
import { config } from "@/lib/config";

let counter = 0;

/** A real user row plus the next-auth session cookie a signed-in browser would send. */
export async function createSignedInUser(email = `user${++counter}-${Date.now()}@example.test`) {
  const user = await createUser({ email, password: "correct horse battery" });
  const token = await encode({ token: { sub: user.id, email: user.email }, secret: config().nextAuthSecret });
  return { ...user, cookie: `next-auth.session-token=${token}` };
}
