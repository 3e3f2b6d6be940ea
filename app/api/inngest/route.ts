import { serve } from "inngest/next";
import { config } from "@/lib/config";
import { detail } from "@/lib/http/handlers";
import { inngest } from "@/lib/jobs/client";
import { inngestFunctions } from "@/lib/jobs";

// The Inngest endpoint: the dev server, Inngest Cloud or `inngest start` call our functions here.
const served = serve({ client: inngest, functions: inngestFunctions });

/**
 * Why the endpoint cannot serve, or undefined. With jobs in-process there is nothing to serve
 * (404); Inngest Cloud without a signing key would make the SDK answer every request with a bare
 * 500 ("In cloud mode but no signing key found"), so the misconfiguration is named instead (503).
 */
function unavailable(): Response | undefined {
  if (config().jobRunner !== "inngest") {
    return detail(404, "Jobs run in-process: this app serves no Inngest endpoint (JOB_RUNNER=in-process)");
  }
  inngest.setEnvVars(process.env);
  if (inngest.mode === "cloud" && !inngest.signingKey) {
    return detail(503, "Inngest is not configured: set INNGEST_SIGNING_KEY (or INNGEST_DEV=1 for a local dev server)");
  }
  return undefined;
}

type Handler = typeof served.GET;

function guarded(handler: Handler): Handler {
  return async (...args: Parameters<Handler>) => unavailable() ?? handler(...args);
}

export const GET = guarded(served.GET);
export const POST = guarded(served.POST);
export const PUT = guarded(served.PUT);
