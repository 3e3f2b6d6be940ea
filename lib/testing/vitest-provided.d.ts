// Values that vitest.config.ts and the int-postgres globalSetup hand to test files via `inject`.
declare module "vitest" {
  export interface ProvidedContext {
    /** Which database the integration setup opens for each test file. */
    integrationDatabase: "pglite" | "postgres";
    /** Admin URL of the PostgreSQL server (int-postgres only); each file creates its own database on it. */
    postgresServerUrl: string;
  }
}

export {};
