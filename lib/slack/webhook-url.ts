import { UserError } from "@/lib/errors";
import { isCoveredByAllowList, isHostAllowed, parseAllowList, type AllowList } from "@/lib/net/address-policy";
import { validateOutboundUrl } from "@/lib/net/outbound";
import { explainRefusal, OutboundBlockedError } from "@/lib/net/errors";
import { getEnv } from "@/lib/env";

const SLACK_HOST = "hooks.slack.com";
/** The way to see a delivery without a reachable webhook: Destinations → "Add a test channel". */
const TRY_A_TEST_CHANNEL = "use a test channel";

function invalid(message: string): UserError {
  return new UserError(message, 400, { webhookUrl: [message] });
}

/**
 * Accepts Slack incoming webhooks (https://hooks.slack.com/services/…) and workflow webhooks
 * (…/triggers/…); any other host only when the operator listed it in OUTBOUND_ALLOW_HOSTS.
 */
export function validateWebhookUrl(input: string, allow: AllowList = parseAllowList(getEnv().outboundAllowHosts)): URL {
  let url: URL;
  try {
    url = validateOutboundUrl(input.trim(), allow);
  } catch (err) {
    if (err instanceof OutboundBlockedError) throw invalid(explainRefusal(err, TRY_A_TEST_CHANNEL));
    throw invalid("Enter a valid URL");
  }
  if (url.hostname === SLACK_HOST) {
    if (url.protocol !== "https:") throw invalid("Slack webhooks use https://");
    if (!/^\/(services|triggers)\/[^/]+\/.+/.test(url.pathname)) {
      throw invalid("A Slack webhook URL looks like https://hooks.slack.com/services/T…/B…/… or …/triggers/…");
    }
    return url;
  }
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!isHostAllowed(allow, host, port) && !isCoveredByAllowList(host, allow, { host, port })) {
    throw invalid(
      `Only hooks.slack.com URLs are accepted; ${url.host} is not in OUTBOUND_ALLOW_HOSTS. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or ${TRY_A_TEST_CHANNEL}.`,
    );
  }
  return url;
}

/** What the UI and API may show: never the secret path. */
export function maskWebhookUrl(origin: string, last4: string): string {
  return `${origin.includes("://") ? origin : `https://${origin}`}/…/${last4}`;
}
