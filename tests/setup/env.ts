import { inject } from "vitest";

// Every integration test file talks to the run's fresh database and a private data directory.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATA_DIR = inject("dataDir");
process.env.LOG_LEVEL ??= "warn";
