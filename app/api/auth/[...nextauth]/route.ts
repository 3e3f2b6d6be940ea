import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

// next-auth's sign-in, sign-out, session and CSRF endpoints.
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(request, { params: await context.params });
}

export { handler as GET, handler as POST };
