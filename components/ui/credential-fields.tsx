"use client";

import { TextField, type TextFieldProps } from "./text-field";

type FieldProps = Omit<TextFieldProps, "label" | "type">;

/** A required "Email" field; `name` and `autoComplete` default to "email". */
export function EmailField(props: FieldProps) {
  return <TextField label="Email" type="email" name="email" autoComplete="email" required {...props} />;
}

/**
 * A required "Password" field. `autoComplete` is required so each form says whether it asks
 * for the current password or sets a new one (password managers act on it).
 */
export function PasswordField(props: FieldProps & { autoComplete: "current-password" | "new-password" }) {
  return <TextField label="Password" type="password" name="password" required {...props} />;
}
