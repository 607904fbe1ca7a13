import { pgSchema } from "drizzle-orm/pg-core";

/** The app's own tables live apart from user data (staging, warehouse) and from pg-boss. */
export const appSchema = pgSchema("relayboard");
