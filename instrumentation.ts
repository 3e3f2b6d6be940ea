// Next.js calls register() once when a server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { ConfigError } = await import("./lib/config");
    try {
      const { startBackgroundWork } = await import("./lib/jobs/startup");
      await startBackgroundWork();
    } catch (error) {
      // A misconfigured production server must not serve (e.g. `next start` without the secrets).
      if (error instanceof ConfigError) {
        console.error(`\n✖ ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
  }
}
