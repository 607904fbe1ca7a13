import { json, jsonRoute } from "@/lib/api/handler";
import { createDestination } from "@/lib/slack/destinations";
import { createDestinationInput } from "@/lib/validation/destinations";

export const dynamic = "force-dynamic";

/** Adds a Slack incoming-webhook destination; the URL is stored encrypted and never returned. */
export const POST = jsonRoute({
  route: "POST /v1/destinations/slack",
  role: "editor",
  body: createDestinationInput,
  handle: async ({ body, principal }) => {
    const d = await createDestination(body, { id: principal.userId });
    return json(201, { destination: { id: d.id, name: d.name, webhookUrlMasked: d.webhookUrlMasked, default: d.default } });
  },
});
