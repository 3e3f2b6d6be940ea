import { serve } from "inngest/next";
import { inngest } from "@/lib/jobs/client";
import { inngestFunctions } from "@/lib/jobs";

// The Inngest endpoint: the dev server, Inngest Cloud or `inngest start` call our functions here.
export const { GET, POST, PUT } = serve({ client: inngest, functions: inngestFunctions });
