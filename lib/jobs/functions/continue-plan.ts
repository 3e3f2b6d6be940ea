import { planContinued } from "@/lib/events/definitions";
import { defineJob } from "../define";
import { runPlan } from "../plan-steps";

/** The rest of a poll or refresh plan that did not fit in one run (see BATCHES_PER_RUN). */
export default defineJob({
  id: "continue-plan",
  trigger: { event: planContinued },
  retries: 2,
  handler: ({ event, step }) =>
    runPlan(step, event.data.plan, { after: event.data.after, startedAt: event.data.startedAt }),
});
