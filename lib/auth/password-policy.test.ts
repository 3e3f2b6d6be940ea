import { describe, expect, it } from "vitest";
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordMessage } from "./password-policy";

const REFUSED: [password: string, problem: string, why: RegExp][] = [
  ["", "too_short", /at least 10 characters/],
  ["short", "too_short", /at least 10 characters/],
  ["Xk9#mQ2$v", "too_short", /at least 10 characters/],
  ["x".repeat(MAX_PASSWORD_LENGTH + 1), "too_long", /at most 256 characters/],
  ["password123", "guessable", /commonly used password/],
  ["aaaaaaaaaa", "guessable", /repeats characters/],
  ["1234567890", "guessable", /most used passwords/],
  ["qwertyuiop", "guessable", /most used passwords|row of keys/],
  ["abcdefghij", "guessable", /sequence/],
  ["Passw0rd!!", "guessable", /variation of a commonly used password/],
  ["iloveyou12", "guessable", /commonly used password/],
  ["letmein1234", "guessable", /commonly used password/],
  ["sunshine2024", "guessable", /commonly used password/],
  ["abcabcabcabc", "guessable", /repeats a pattern/],
  ["a".repeat(MAX_PASSWORD_LENGTH), "guessable", /repeats characters/],
];

const ACCEPTED = [
  "correct horse battery staple 42",
  "Tr0ub4dor&3xx",
  "zx9!kq2#Lm",
  "violet tractor umbrella",
  "x7Tq" + "9fKz".repeat(63),
];

describe("checkPassword", () => {
  it.each(REFUSED)("refuses %j (%s) and says why", (password, problem, why) => {
    const result = checkPassword(password);
    expect(result?.problem).toBe(problem);
    expect(result?.message).toMatch(why);
  });

  it.each(ACCEPTED)("accepts %j", (password) => {
    expect(checkPassword(password)).toBeNull();
  });

  it("turns each verdict's reason back into its message, and nothing else into a message", () => {
    for (const [password] of REFUSED) {
      const verdict = checkPassword(password)!;
      expect(passwordMessage(verdict.reason)).toBe(verdict.message);
    }
    for (const key of ["", "toString", "__proto__", "constructor", "<b>hi</b>", "Password is fine"]) {
      expect(passwordMessage(key)).toBeNull();
    }
  });

  it("refuses a password made of the user's own email", () => {
    const email = "margarethamilton@example.com";
    expect(checkPassword("margarethamilton1", { email })?.message).toMatch(/your email/);
    expect(checkPassword("margarethamilton1")).toBeNull();
  });

  it("has its bounds at exactly 10 and 256 characters", () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(checkPassword("k#8Lq!z2Vw")).toBeNull();
    expect(checkPassword("k#8Lq!z2V")?.problem).toBe("too_short");
    const longest = "x7Tq" + "9fKz".repeat(63);
    expect(longest).toHaveLength(MAX_PASSWORD_LENGTH);
    expect(checkPassword(longest + "Q")?.problem).toBe("too_long");
  });
});
