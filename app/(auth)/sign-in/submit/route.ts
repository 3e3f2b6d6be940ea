import { submitSignInForm } from "@/lib/auth/password-form";

// POST /sign-in/submit (form: email, password, callbackUrl) → 303 to callbackUrl signed in, or 303 back to
// /sign-in?error=…; the sign-in form's plain-HTML path (before or without JavaScript), never a GET.
export const POST = submitSignInForm;
