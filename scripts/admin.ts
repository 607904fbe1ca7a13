import { parseArgs } from "node:util";
import { z } from "zod";
import { getEnv, ConfigError } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { closeDb } from "@/db";
import { listUsers } from "@/db/queries/users";
import { createUser } from "@/lib/auth/users";
import { UserError } from "@/lib/errors";
import { createUserInput, roleField } from "@/lib/validation/users";
import { createApiTokenForEmail } from "@/lib/api/tokens";
import { prepareDatabase } from "@/lib/database/prepare";

/**
 * Operator CLI: `npm run admin -- user create --email E --password P --role R`, `npm run admin -- user list`.
 * Uses the running embedded Postgres, or starts it for the duration of the command.
 */
const USAGE = `Usage:
  npm run admin -- user create --email EMAIL --password PASSWORD --role admin|editor|viewer [--name NAME]
  npm run admin -- user list
  npm run admin -- token create --email EMAIL --name NAME [--role viewer|editor|admin] [--expires-days N]`;

async function userCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, password: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    strict: true,
  });
  const input = createUserInput.safeParse(values);
  if (!input.success) {
    throw new UserError(input.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
  }
  const user = await createUser(input.data);
  console.log(`Created ${user.role} ${user.email} (id ${user.id})`);
}

async function userList(): Promise<void> {
  const users = await listUsers();
  if (users.length === 0) {
    console.log("No users yet. Open the app to run first-time setup, or create one with `user create`.");
    return;
  }
  const rows = users.map((u) => [u.email, u.role, u.active ? "active" : "deactivated", u.createdAt.toISOString()]);
  const header = ["EMAIL", "ROLE", "STATUS", "CREATED"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
}

async function tokenCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string" }, "expires-days": { type: "string" } },
    strict: true,
  });
  if (!values.email || !values.name) throw new UserError("token create needs --email and --name");
  const role = values.role ? roleField.parse(values.role) : undefined;
  const days = values["expires-days"] ? z.coerce.number().int().min(1).max(3650).parse(values["expires-days"]) : undefined;
  const created = await createApiTokenForEmail(values.email.trim().toLowerCase(), {
    name: values.name,
    role,
    expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
  });
  console.log(
    `Created ${created.role} token "${values.name}" for ${values.email}${days ? `, expiring in ${days} days` : ""}. It is shown once:`,
  );
  // The token itself alone on the last line, for scripts: TOKEN=$(npm run -s admin -- token create … | tail -n1)
  console.log(created.token);
}

async function main(): Promise<number> {
  const [group, command, ...rest] = process.argv.slice(2);
  const handlers: Record<string, (args: string[]) => Promise<void>> = {
    "user create": userCreate,
    "user list": userList,
    "token create": tokenCreate,
  };
  const handler = handlers[`${group} ${command}`];
  if (!handler) {
    console.error(USAGE);
    return 2;
  }
  getEnv();
  // CLI output is for people; keep the JSON logs quiet unless something is wrong.
  const log = getLogger().child({ role: "admin-cli" });
  log.level = "warn";
  const database = await prepareDatabase({ log });
  try {
    await handler(rest);
    return 0;
  } finally {
    await closeDb();
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UserError || err instanceof ConfigError || err instanceof z.ZodError) console.error(`Error: ${err.message}`);
    else if ((err as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")) console.error(`Error: ${(err as Error).message}\n${USAGE}`);
    else console.error("Error:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
