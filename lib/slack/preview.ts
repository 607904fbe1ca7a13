import type { z } from "zod";
import { UserError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { dateFormats, formatTime, malformedPlaceholders, renderMessage, unknownVariables, type TemplateValues } from "@/lib/slack/render";
import type { SlackPayload } from "@/lib/slack/limits";
import { loadResultTable } from "@/lib/slack/result-table";
import { messageTemplateInput } from "@/lib/validation/destinations";

/** Save-time check of a template: its variables must all be known. */
export function validateTemplate(raw: z.input<typeof messageTemplateInput>) {
  const template = messageTemplateInput.parse(raw);
  const text = `${template.header ?? ""}\n${template.text}`;
  const unknown = unknownVariables(text);
  if (unknown.length) {
    const message = `Unknown variable ${unknown.map((v) => `{{${v}}}`).join(", ")}`;
    throw new UserError(message, 400, { text: [message] });
  }
  const malformed = malformedPlaceholders(text);
  if (malformed.length) {
    const message = `${malformed[0]} is not a variable: write {{name}} or {{now | date: "yyyy-MM-dd"}} (the format in double quotes)`;
    throw new UserError(message, 400, { text: [message] });
  }
  for (const pattern of dateFormats(text)) {
    try {
      formatTime(new Date().toISOString(), "UTC", pattern);
    } catch (err) {
      const message = `The date format "${pattern}" cannot be used: ${(err as Error).message} (letters that are not a field go in single quotes)`;
      throw new UserError(message, 400, { text: [message] });
    }
  }
  return template;
}

export const SAMPLE_VALUES: TemplateValues = {
  "dataset.name": "orders",
  "dataset.rows": 1234,
  "run.id": "00000000-0000-0000-0000-000000000000",
  "run.rows": 1234,
  "run.status": "succeeded",
  "run.trigger": "manual",
  "pipeline.name": "orders daily",
  "model.name": "orders",
  "model.rowCount": 1234,
  "digest.added": 10,
  "digest.changed": 7,
  "digest.removed": 3,
};

/** The exact blocks the sender would post, with sample values and the model's real rows. */
export async function previewMessage(
  raw: z.input<typeof messageTemplateInput>,
  values: TemplateValues = SAMPLE_VALUES,
): Promise<SlackPayload> {
  const template = validateTemplate(raw);
  const table = template.table ? await loadResultTable(template.table) : undefined;
  const runUrl = `${getEnv().appUrl}/runs/${values["run.id"] ?? ""}`;
  return renderMessage(template, { now: new Date().toISOString(), ...values, "run.url": runUrl }, table, {
    runUrl,
    runId: String(values["run.id"] ?? ""),
  });
}
