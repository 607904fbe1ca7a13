import { audit } from "@/lib/audit";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { exportNextAuthOrigin, getEnv } from "@/lib/env";
import { getUserByEmail } from "@/db/queries/users";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/passwords";
import { attemptLogin, LOGIN_LIMITED_ERROR } from "@/lib/auth/login-limit";
import { clientFromHeaders } from "@/lib/auth/client-address";
import { loginInput } from "@/lib/validation/users";
import { childLogger } from "@/lib/log";
import { shouldUseSecureCookies } from "@/lib/auth/secure-cookies";

let options: NextAuthOptions | undefined;

function explicitAppUrl(): string | undefined {
  const env = getEnv();
  return env.appUrl !== `http://localhost:${env.port}` ? env.appUrl : undefined;
}

/**
 * The options for one request: cookies are Secure when the app is served over HTTPS (see
 * shouldUseSecureCookies). The auth route and every session lookup use this, so the cookie's
 * name is the same where it is set and where it is read.
 */
export function getAuthOptionsFor(requestHeaders: { get(name: string): string | null }): NextAuthOptions {
  const useSecureCookies = shouldUseSecureCookies({ appUrl: explicitAppUrl(), forwardedProto: requestHeaders.get("x-forwarded-proto") });
  return { ...getAuthOptions(), useSecureCookies };
}

export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const env = getEnv();
  exportNextAuthOrigin(explicitAppUrl() !== undefined, env.appUrl);
  const log = childLogger({ module: "auth" });
  options = {
    secret: env.authSecret,
    session: { strategy: "jwt", maxAge: env.sessionMaxAgeSeconds },
    jwt: { maxAge: env.sessionMaxAgeSeconds },
    pages: { signIn: "/login", error: "/login" },
    logger: {
      error: (code) => log.error({ code }, "next-auth error"),
      warn: (code) => log.warn({ code }, "next-auth warning"),
      debug: () => {},
    },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const parsed = loginInput.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          // The launcher's server stamps the peer; X-Forwarded-For counts only from TRUST_PROXY.
          const ip = clientFromHeaders((req?.headers ?? {}) as Record<string, unknown>).address;
          const user = await getUserByEmail(email);
          // The limit takes its slot before the password is checked (see attemptLogin).
          const outcome = await attemptLogin({ email, ip }, async () => {
            // Verify against a dummy hash for unknown emails so response time does not reveal them.
            const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
            return Boolean(user && user.active && passwordOk);
          });
          if (outcome === "limited") {
            log.info({ event: "login_limited", ip }, "sign-in refused: too many failures");
            throw new Error(LOGIN_LIMITED_ERROR);
          }
          const succeeded = outcome === "succeeded";
          if (!user || !succeeded) {
            log.info({ event: "login_failed", ip }, "failed sign-in");
            await audit(
              "login.failed",
              { id: user?.id ?? null, email },
              { type: "user", id: user?.id ?? null, name: email },
              user && !user.active ? { reason: "deactivated" } : {},
              ip,
            );
            return null;
          }
          await audit("login.succeeded", { id: user.id, email: user.email }, { type: "user", id: user.id, name: user.email }, {}, ip);
          log.info({ event: "login", userId: user.id }, "signed in");
          return { id: user.id, email: user.email, name: user.name ?? null, sv: user.sessionVersion };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.sv = (user as { sv?: number }).sv ?? 0;
        }
        return token;
      },
      async session({ session, token }) {
        // Only the id and session version travel; role and status are read fresh on the server.
        return {
          ...session,
          user: { id: token.uid as string, sv: token.sv as number, email: session.user?.email ?? null, name: session.user?.name ?? null },
        };
      },
    },
  };
  return options;
}
