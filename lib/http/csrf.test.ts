import { describe, expect, it } from "vitest";
import { crossSiteRefusal, isSameOriginRequest, mediaType } from "./csrf";

const app = "http://localhost:3000";
const request = (method: string, headers: Record<string, string>) =>
  new Request(`${app}/api/v1/connections/oura/sync`, { method, headers });

describe("isSameOriginRequest", () => {
  it.each<[string, Record<string, string>, boolean]>([
    ["our Origin", { origin: app }, true],
    ["a foreign Origin", { origin: "http://evil.example" }, false],
    ["another port of the same host", { origin: "http://localhost:3001" }, false],
    ["another scheme", { origin: "https://localhost:3000" }, false],
    ["Origin: null", { origin: "null" }, false],
    ["an Origin with a trailing slash", { origin: `${app}/` }, false],
    ["no Origin, Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }, true],
    ["no Origin, Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }, false],
    ["no Origin, Sec-Fetch-Site: none", { "sec-fetch-site": "none" }, false],
    ["nothing", {}, false],
    [
      "a foreign Origin claiming same-origin",
      { origin: "http://evil.example", "sec-fetch-site": "same-origin" },
      false,
    ],
  ])("%s → %s", (_name, headers, expected) => {
    expect(isSameOriginRequest(request("POST", headers), app)).toBe(expected);
  });
});

describe("crossSiteRefusal", () => {
  it("leaves safe methods alone", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(crossSiteRefusal(request(method, { origin: "http://evil.example" }), { appOrigin: app })).toBeUndefined();
    }
  });

  it("refuses every state-changing method from elsewhere with 403", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      expect(crossSiteRefusal(request(method, { origin: "http://evil.example" }), { appOrigin: app })).toMatchObject({
        status: 403,
      });
    }
  });

  it("JSON routes: 415 unless the body is declared application/json", () => {
    const json = (contentType?: string) =>
      crossSiteRefusal(request("POST", { origin: app, ...(contentType ? { "content-type": contentType } : {}) }), {
        json: true,
        appOrigin: app,
      });
    expect(json("application/json")).toBeUndefined();
    expect(json("Application/JSON; charset=utf-8")).toBeUndefined();
    for (const other of [
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
    ]) {
      expect(json(other)).toMatchObject({ status: 415 });
    }
  });
});

describe("mediaType", () => {
  it("drops parameters and case", () => {
    expect(mediaType("Application/Json ; charset=UTF-8")).toBe("application/json");
    expect(mediaType(null)).toBe("");
  });
});
