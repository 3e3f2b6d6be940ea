import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-rules";

/**
 * What a new password must be: 10 to 256 characters, and not easy to guess. "Easy to guess" is
 * zxcvbn's judgement (score below 3, i.e. fewer than ~10^8 guesses) against the common-password and
 * keyboard-pattern lists shipped in @zxcvbn-ts/language-common (no network): it catches
 * "password123", "qwertyuiop", "aaaaaaaaaa", "abcdefghij", "Passw0rd!!" and the like, plus
 * passwords built from the user's own email.
 */

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };
/** zxcvbn score 3: "safely unguessable: moderate protection from an offline slow-hash scenario". */
const MIN_SCORE = 3;

export type PasswordProblem = "too_short" | "too_long" | "guessable";

export const PASSWORD_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `Password must be at most ${MAX_PASSWORD_LENGTH} characters`,
  guessable: "This password is too easy to guess",
};

// Our wording for zxcvbn's warning keys (the package ships keys; its English texts are a separate package).
const WHY: Record<string, string> = {
  straightRow: "it is a row of keys on the keyboard",
  keyPattern: "it is a keyboard pattern",
  simpleRepeat: 'it repeats characters, like "aaaaaaaaaa"',
  extendedRepeat: 'it repeats a pattern, like "abcabcabc"',
  sequences: 'it is a sequence, like "abcdefghij" or "1234567890"',
  recentYears: "it is built around a recent year",
  dates: "it is built around a date",
  topTen: "it is one of the ten most used passwords",
  topHundred: "it is one of the hundred most used passwords",
  common: "it is on a list of commonly used passwords",
  similarToCommon: "it is a small variation of a commonly used password",
  wordByItself: "a single word is easy to guess",
  namesByThemselves: "names on their own are easy to guess",
  commonNames: "common names are easy to guess",
  userInputs: "it contains your email address",
  pwned: "it has appeared in a data breach",
};

const FALLBACK_WHY = "pattern";

/**
 * Why a password was refused: `reason` is a short key ("too_short", "common", "simpleRepeat", …)
 * that {@link passwordMessage} turns back into the message (the no-JavaScript form carries the key
 * in its redirect, never free text).
 */
export interface PasswordVerdict {
  problem: PasswordProblem;
  reason: string;
  message: string;
}

/** The message for a verdict's `reason`, or null for a key we never issue. */
export function passwordMessage(reason: string): string | null {
  if (reason === "too_short" || reason === "too_long") return PASSWORD_MESSAGES[reason];
  const why = Object.hasOwn(WHY, reason) ? WHY[reason] : reason === FALLBACK_WHY ? "it follows a common pattern" : null;
  return why ? `${PASSWORD_MESSAGES.guessable}: ${why}. Use a longer phrase of unrelated words.` : null;
}

let zxcvbn: ZxcvbnFactory | undefined;

/** Why `password` is refused as a new password, or null when it is acceptable. */
export function checkPassword(password: string, context: { email?: string } = {}): PasswordVerdict | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return { problem: "too_short", reason: "too_short", message: PASSWORD_MESSAGES.too_short };
  if (password.length > MAX_PASSWORD_LENGTH)
    return { problem: "too_long", reason: "too_long", message: PASSWORD_MESSAGES.too_long };
  zxcvbn ??= new ZxcvbnFactory({
    dictionary,
    graphs: adjacencyGraphs,
    maxLength: MAX_PASSWORD_LENGTH,
    useLevenshteinDistance: true,
  });
  const userInputs = context.email
    ? [context.email, ...context.email.split(/[@.+_-]/).filter((p) => p.length >= 3)]
    : [];
  const result = zxcvbn.check(password, userInputs);
  if (result.score >= MIN_SCORE) return null;
  const warning = result.feedback.warning;
  const reason = warning && Object.hasOwn(WHY, warning) ? warning : FALLBACK_WHY;
  return { problem: "guessable", reason, message: passwordMessage(reason)! };
}
