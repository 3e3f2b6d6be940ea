import { describe, expect, it } from "vitest";
import { errorDetail } from "./api-fetch";

describe("errorDetail", () => {
  it("returns a string detail", () => {
    expect(errorDetail({ detail: "An account with this email already exists" }, "x")).toBe(
      "An account with this email already exists",
    );
  });

  it("joins the messages of the 422 list shape", () => {
    const body = {
      detail: [
        { type: "too_small", loc: ["body", "password"], msg: "Password must be at least 10 characters" },
        { type: "invalid", loc: ["body", "email"], msg: "Invalid email" },
      ],
    };
    expect(errorDetail(body, "x")).toBe("Password must be at least 10 characters; Invalid email");
  });

  it("falls back for bodies without a usable detail", () => {
    expect(errorDetail(undefined, "fallback")).toBe("fallback");
    expect(errorDetail("oops", "fallback")).toBe("fallback");
    expect(errorDetail({ detail: "" }, "fallback")).toBe("fallback");
    expect(errorDetail({ detail: [{ type: "x" }] }, "fallback")).toBe("fallback");
    expect(errorDetail({ message: "no" }, "fallback")).toBe("fallback");
  });
});
