import type { z } from "zod";
import type { DeliveryCondition, PipelineDelivery } from "@/db/schema/pipelines";
import type { pipelineInput } from "@/lib/validation/pipelines";

// The pipeline form's own state (strings, as inputs hold them) and its conversion to the
// pipelineInput the server validates. Shared by the new and edit pages.

export type DeliveryDraft = {
  /** A stable React key; not sent. */
  key: string;
  /** "" means the default destination at run time. */
  destinationId: string;
  condition: DeliveryCondition;
  header: string;
  text: string;
  /** "" means no table. */
  tableModel: string;
  /** Column names separated by commas; empty for all. */
  tableColumns: string;
  sortBy: string;
  sortDirection: "asc" | "desc";
  limit: string;
};

export type PipelineDraft = {
  name: string;
  datasetId: string;
  modelsMode: "downstream" | "chosen";
  models: string[];
  deliveries: DeliveryDraft[];
  /** "" means no failure alert. */
  failureAlertDestinationId: string;
  stopOnTestFailure: boolean;
  scheduleCron: string;
  scheduleTimezone: string;
  paused: boolean;
};

export type PipelineInput = z.input<typeof pipelineInput>;

/** What the form needs to offer: ids and names only (never a webhook URL). */
export type PipelineFormOptions = {
  datasets: { id: string; name: string }[];
  models: { name: string; description: string }[];
  destinations: { id: string; name: string; default: boolean; needsAttention: boolean }[];
  /** Relations a message's table can come from; columns null while not built. */
  tables: { name: string; kind: "model" | "dataset"; columns: string[] | null }[];
  variables: string[];
};

export const CONDITIONS: { value: DeliveryCondition; label: string; hint: string }[] = [
  { value: "always", label: "Always", hint: "Send after every successful run." },
  { value: "has_rows", label: "Only when the table has rows", hint: "Skip the message when its table comes back empty." },
  { value: "changed", label: "Only when the result changed", hint: "Skip the message when it would say the same as the last one." },
];

export function newDelivery(key: string): DeliveryDraft {
  return {
    key,
    destinationId: "",
    condition: "always",
    header: "{{pipeline.name}}: {{run.status}}",
    text: "*{{run.rows}}* rows loaded into `{{dataset.name}}`. <{{run.url}}|Open the run>",
    tableModel: "",
    tableColumns: "",
    sortBy: "",
    sortDirection: "asc",
    limit: "",
  };
}

export function emptyDraft(datasetId = ""): PipelineDraft {
  return {
    name: "",
    datasetId,
    modelsMode: "downstream",
    models: [],
    deliveries: [newDelivery("new-0")],
    failureAlertDestinationId: "",
    stopOnTestFailure: false,
    scheduleCron: "",
    scheduleTimezone: "UTC",
    paused: false,
  };
}

type SavedPipeline = {
  name: string;
  datasetId: string;
  models: string[] | null;
  deliveries: PipelineDelivery[];
  failureAlertDestinationId: string | null;
  stopOnTestFailure: boolean;
  scheduleCron: string | null;
  scheduleTimezone: string;
  paused: boolean;
};

export function draftFromPipeline(p: SavedPipeline): PipelineDraft {
  return {
    name: p.name,
    datasetId: p.datasetId,
    modelsMode: p.models === null ? "downstream" : "chosen",
    models: p.models ?? [],
    deliveries: p.deliveries.map((d, i) => ({
      key: `saved-${i}`,
      destinationId: d.destinationId ?? "",
      condition: d.condition,
      header: d.template.header ?? "",
      text: d.template.text,
      tableModel: d.template.table?.model ?? "",
      tableColumns: d.template.table?.columns?.join(", ") ?? "",
      sortBy: d.template.table?.sortBy ?? "",
      sortDirection: d.template.table?.sortDirection ?? "asc",
      limit: d.template.table?.limit === undefined ? "" : String(d.template.table.limit),
    })),
    failureAlertDestinationId: p.failureAlertDestinationId ?? "",
    stopOnTestFailure: p.stopOnTestFailure,
    scheduleCron: p.scheduleCron ?? "",
    scheduleTimezone: p.scheduleTimezone || "UTC",
    paused: p.paused,
  };
}

export function splitColumns(text: string): string[] {
  return text
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

function deliveryInput(d: DeliveryDraft): NonNullable<PipelineInput["deliveries"]>[number] {
  const columns = splitColumns(d.tableColumns);
  const limit = d.limit.trim();
  return {
    destinationId: d.destinationId || null,
    condition: d.condition,
    template: {
      ...(d.header.trim() ? { header: d.header } : {}),
      text: d.text,
      ...(d.tableModel
        ? {
            table: {
              model: d.tableModel,
              ...(columns.length ? { columns } : {}),
              ...(d.sortBy ? { sortBy: d.sortBy, sortDirection: d.sortDirection } : {}),
              ...(limit ? { limit: Number(limit) } : {}),
            },
          }
        : {}),
    },
  };
}

/** The draft as pipelineInput expects it; empty optional parts are left out. */
export function draftToInput(d: PipelineDraft): PipelineInput {
  const cron = d.scheduleCron.trim();
  return {
    name: d.name,
    datasetId: d.datasetId,
    models: d.modelsMode === "downstream" ? null : d.models,
    deliveries: d.deliveries.map(deliveryInput),
    failureAlertDestinationId: d.failureAlertDestinationId || null,
    stopOnTestFailure: d.stopOnTestFailure,
    scheduleCron: cron ? cron : null,
    scheduleTimezone: d.scheduleTimezone.trim() || "UTC",
    paused: d.paused,
  };
}
