/** The events live below the services (lib/events); jobs keep importing them from here too. */
export { connectionConnected, syncRequested, type AppEvent as JobEvent } from "@/lib/events/definitions";
