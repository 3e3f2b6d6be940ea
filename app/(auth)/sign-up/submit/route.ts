import { submitSignUpForm } from "@/lib/auth/password-form";

// POST /sign-up/submit (form: email, password, callbackUrl) → 303 to callbackUrl signed in to the new account,
// or 303 back to /sign-up?error=…; the sign-up form's plain-HTML path (before or without JavaScript).
export const POST = submitSignUpForm;
