import crypto from "node:crypto";
import postgres from "postgres";

/**
 * A fresh database per test run on the given server, so runs never see each other's rows and
 * can be repeated. `adminUrl` may create databases; with `as`, the database belongs to the app's
 * role and the returned URL logs in as that role (the embedded server's app is no superuser).
 */
export async function createFreshDatabase(
  adminUrl: string,
  prefix = "rb_test",
  template?: string,
  as?: { owner: string; appUrl: string },
): Promise<{ url: string; adminUrl: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}${as ? ` owner "${as.owner}"` : ""}`);
  } finally {
    await admin.end();
  }
  const withDatabase = (base: string) => {
    const url = new URL(base);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    name,
    url: withDatabase(as?.appUrl ?? adminUrl),
    adminUrl: withDatabase(adminUrl),
    drop: async () => {
      const conn = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await conn.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await conn.end();
      }
    },
  };
}
