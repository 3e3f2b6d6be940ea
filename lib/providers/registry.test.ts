import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionConnectDialogs } from "@/components/accounts/session-dialogs";
import { metricTableMarkdown } from "@/lib/metrics/metric-table";
import { defaultSourcePriority, rankSources } from "@/lib/metrics/sources";
import { sandboxBranding } from "@/lib/sandbox/branding";
import { getProvider, listProviders, providers } from "./index";
import { providerMode, resolveProvider } from "./runtime";
import type { SessionEndpoints, SessionProvider } from "./types";

/**
 * A new provider is its module plus one entry in the provider registry (lib/providers/index.ts):
 * every other registry (runtime, source priority, README table, consent-page branding, the
 * Accounts page's connect dialog) is derived from the modules. This fixture module is added to the
 * registry the way its line in index.ts would add it, and nothing else is edited.
 */
const fixture: SessionProvider = {
  id: "fixturefit",
  name: "FixtureFit",
  kind: "session",
  connectDialog: "garmin",
  description: "A provider that exists only in this test.",
  color: "#123456",
  dataSummary: "Sleep",
  backfillDays: 7,
  endpoints: { sso: "https://sso.fixturefit.example", api: "https://api.fixturefit.example" },
  sandbox: {
    clientId: "fixture-sandbox-client",
    clientSecret: "fixture-sandbox-secret",
    endpoints: (baseUrl): SessionEndpoints => ({ sso: `${baseUrl}/sso`, api: `${baseUrl}/api` }),
  },
  branding: {
    name: "FIXTUREFIT",
    page: "bg-black",
    card: "bg-black",
    muted: "text-neutral-400",
    primaryButton: "bg-white",
    secondaryButton: "border",
    input: "bg-black",
  },
  session: {
    login: async () => {
      throw new Error("not called");
    },
    verifyMfa: async () => {
      throw new Error("not called");
    },
    refresh: async () => {
      throw new Error("not called");
    },
  },
  collections: [],
  metricFields: { sleep_score: "nightly.score", steps: "daily.steps" },
  // Between Oura (10) and Garmin (20) for sleep; after every other source of steps.
  metricPriority: { sleep_score: 15, steps: 90 },
};

beforeAll(() => {
  providers[fixture.id] = fixture;
});

afterAll(() => {
  delete providers[fixture.id];
});

describe("a new provider module", () => {
  it("is in the provider registry", () => {
    expect(getProvider("fixturefit")).toBe(fixture);
    expect(listProviders()).toContain(fixture);
  });

  it("runs on its sandbox at ${APP_URL}/sandbox/<id> with the client its module declares", () => {
    expect(providerMode("fixturefit")).toBe("sandbox");
    const runtime = resolveProvider("fixturefit")!;
    expect(runtime).toMatchObject({
      mode: "sandbox",
      clientId: "fixture-sandbox-client",
      clientSecret: "fixture-sandbox-secret",
    });
    expect(runtime.endpoints).toEqual({
      sso: expect.stringMatching(/\/sandbox\/fixturefit\/sso$/),
      api: expect.stringMatching(/\/sandbox\/fixturefit\/api$/),
    });
  });

  it("joins each metric's source priority where its module ranks itself", () => {
    expect(defaultSourcePriority("sleep_score")).toEqual(["oura", "fixturefit", "garmin", "withings", "whoop"]);
    expect(defaultSourcePriority("steps")).toEqual(["garmin", "oura", "withings", "fixturefit"]);
    expect(rankSources("sleep_score", ["whoop", "fixturefit", "garmin"])).toEqual(["fixturefit", "garmin", "whoop"]);
  });

  it("gets a column and its fields in the README metric table", () => {
    const table = metricTableMarkdown();
    expect(table.split("\n")[0]).toContain("| FixtureFit |");
    expect(table).toContain("Oura › FixtureFit › Garmin › Withings › Whoop");
    expect(table).toContain("`nightly.score`");
  });

  it("brands its sandbox consent page", () => {
    expect(sandboxBranding("fixturefit").name).toBe("FIXTUREFIT");
  });

  it("has a connect dialog on the Accounts page through the dialog kind it declares", () => {
    expect(sessionConnectDialogs[fixture.connectDialog]).toBeTypeOf("function");
  });
});
