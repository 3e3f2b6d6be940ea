/**
 * A form's error line. Always rendered (visually hidden while empty) so screen readers already
 * know the live region when a message arrives.
 */
export function FormError({ message }: { message: string | null }) {
  return (
    <p
      role="alert"
      aria-live="assertive"
      className={message ? "rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" : "sr-only"}
    >
      {message ?? ""}
    </p>
  );
}
