import type { z } from "zod";
import type {
  AlertCondition,
  Comparison,
  DeliveryCondition,
  DeliveryDigestConfig,
  FireMode,
  PipelineDelivery,
} from "@/db/schema/pipelines";
import type { pipelineInput } from "@/lib/validation/pipelines";

// The pipeline form's own state (strings, as inputs hold them) and its conversion to the
// pipelineInput the server validates. Shared by the new and edit pages.

export type DeliveryDraft = {
  /** A stable React key; not sent. */
  key: string;
  /** "" means the default destination at run time. */
  destinationId: string;
  condition: ConditionDraft;
  fire: FireMode;
  /** A datetime-local value (the browser's time zone), "" for none. */
  snoozeUntil: string;
  header: string;
  text: string;
  /** "" means no table. */
  tableModel: string;
  /** Column names separated by commas; empty for all. */
  tableColumns: string;
  sortBy: string;
  sortDirection: "asc" | "desc";
  limit: string;
  digest: DigestDraft;
};

/** "What changed": kept whole while switched off, so turning it back on loses nothing. */
export type DigestDraft = {
  enabled: boolean;
  /** Key columns in the order saved or chosen (the order is part of the key). */
  key: string[];
  mode: DeliveryDigestConfig["mode"];
  /** "" means the default (DEFAULT_DIGEST_ROWS). */
  maxRows: string;
  baselineMessage: boolean;
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

/** A condition being edited: every field as typed, whatever the kind, so switching kind loses nothing. */
export type ConditionDraft = {
  kind: DeliveryCondition | Exclude<AlertCondition["kind"], "always">;
  /** "" means the message's table model. */
  model: string;
  op: Comparison;
  value: string;
  where: string;
  expression: string;
  direction: "up" | "down" | "either";
  percent: string;
};

export const CONDITIONS: { value: ConditionDraft["kind"]; label: string; hint: string }[] = [
  { value: "always", label: "Always", hint: "Send after every successful run." },
  { value: "has_rows", label: "Only when the table has rows", hint: "Skip the message when its table comes back empty." },
  { value: "changed", label: "Only when the result changed", hint: "Skip the message when it would say the same as the last one." },
  { value: "rowCount", label: "When the row count…", hint: "Compare the model's number of rows with a number." },
  { value: "anyRow", label: "When any row matches…", hint: "A SQL condition on the model's columns, e.g. latency_ms > 500." },
  { value: "allRows", label: "When every row matches…", hint: "A SQL condition every row must meet (an empty result meets it)." },
  {
    value: "aggregate",
    label: "When an aggregate…",
    hint: "A SQL aggregate such as sum(amount) or max(latency_ms), compared with a number.",
  },
  {
    value: "percentChange",
    label: "When an aggregate changes by…",
    hint: "Compared with the last successful run; the first run only takes the baseline.",
  },
];

export const DIGEST_MODES: { value: DigestDraft["mode"]; label: string; hint: string }[] = [
  {
    value: "digest",
    label: "One digest message",
    hint: "The counts, and the first rows of each kind: added, changed (old → new) and removed.",
  },
  {
    value: "per_row",
    label: "One message per row",
    hint: "A message for each changed row, up to the maximum; then one more that counts the rest.",
  },
];

export const FIRE_MODES: { value: FireMode; label: string; hint: string }[] = [
  { value: "every_run", label: "Every run it holds", hint: "A message on every run where the condition is true." },
  { value: "on_change", label: "When it becomes true", hint: "One message when it turns true; none while it stays true." },
  {
    value: "on_change_and_recovery",
    label: "When it becomes true, and when it recovers",
    hint: 'As above, plus a "back to normal" message when it turns false again.',
  },
];

export function emptyCondition(kind: ConditionDraft["kind"] = "always"): ConditionDraft {
  return { kind, model: "", op: ">", value: "0", where: "", expression: "", direction: "down", percent: "20" };
}

export function conditionToDraft(condition: PipelineDelivery["condition"]): ConditionDraft {
  if (typeof condition === "string") return emptyCondition(condition);
  const draft = { ...emptyCondition(condition.kind), model: condition.model ?? "" };
  switch (condition.kind) {
    case "always":
      return draft;
    case "rowCount":
      return { ...draft, op: condition.op, value: String(condition.value) };
    case "anyRow":
    case "allRows":
      return { ...draft, where: condition.where };
    case "aggregate":
      return { ...draft, expression: condition.expression, op: condition.op, value: String(condition.value) };
    case "percentChange":
      return { ...draft, expression: condition.expression, direction: condition.direction, percent: String(condition.percent) };
  }
}

/** The condition as the server takes it; numbers that are not go through as NaN for the server to name. */
export function draftToCondition(d: ConditionDraft): PipelineDelivery["condition"] {
  if (d.kind === "always" || d.kind === "has_rows" || d.kind === "changed") return d.kind;
  const model = d.model.trim() ? { model: d.model.trim() } : {};
  const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));
  switch (d.kind) {
    case "rowCount":
      return { kind: "rowCount", ...model, op: d.op, value: num(d.value) };
    case "anyRow":
    case "allRows":
      return { kind: d.kind, ...model, where: d.where };
    case "aggregate":
      return { kind: "aggregate", ...model, expression: d.expression, op: d.op, value: num(d.value) };
    case "percentChange":
      return { kind: "percentChange", ...model, expression: d.expression, direction: d.direction, percent: num(d.percent) };
  }
}

export function emptyDigest(): DigestDraft {
  return { enabled: false, key: [], mode: "digest", maxRows: "", baselineMessage: false };
}

export function digestToDraft(digest: PipelineDelivery["digest"]): DigestDraft {
  if (!digest) return emptyDigest();
  return {
    enabled: true,
    key: [...digest.key],
    mode: digest.mode,
    maxRows: digest.maxRows === undefined ? "" : String(digest.maxRows),
    baselineMessage: digest.baselineMessage === true,
  };
}

/** The digest as the server takes it: null when off; a maximum that is not a number goes through as NaN for the server to name. */
export function draftToDigest(d: DigestDraft): DeliveryDigestConfig | null {
  if (!d.enabled) return null;
  const maxRows = d.maxRows.trim();
  return {
    key: d.key,
    mode: d.mode,
    ...(maxRows ? { maxRows: Number(maxRows) } : {}),
    ...(d.baselineMessage ? { baselineMessage: true } : {}),
  };
}

/** An ISO time as a datetime-local value in the browser's zone, and back. */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string | null {
  if (!value.trim()) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

export function newDelivery(key: string): DeliveryDraft {
  return {
    key,
    destinationId: "",
    condition: emptyCondition(),
    fire: "every_run",
    snoozeUntil: "",
    header: "{{pipeline.name}}: {{run.status}}",
    text: "*{{run.rows}}* rows loaded into `{{dataset.name}}`. <{{run.url}}|Open the run>",
    tableModel: "",
    tableColumns: "",
    sortBy: "",
    sortDirection: "asc",
    limit: "",
    digest: emptyDigest(),
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
      condition: conditionToDraft(d.condition),
      fire: d.fire ?? "every_run",
      snoozeUntil: toLocalInput(d.snoozeUntil),
      header: d.template.header ?? "",
      text: d.template.text,
      tableModel: d.template.table?.model ?? "",
      tableColumns: d.template.table?.columns?.join(", ") ?? "",
      sortBy: d.template.table?.sortBy ?? "",
      sortDirection: d.template.table?.sortDirection ?? "asc",
      limit: d.template.table?.limit === undefined ? "" : String(d.template.table.limit),
      digest: digestToDraft(d.digest),
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

export function deliveryInput(d: DeliveryDraft): NonNullable<PipelineInput["deliveries"]>[number] {
  const columns = splitColumns(d.tableColumns);
  const limit = d.limit.trim();
  return {
    destinationId: d.destinationId || null,
    condition: draftToCondition(d.condition),
    fire: d.fire,
    snoozeUntil: fromLocalInput(d.snoozeUntil),
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
    digest: draftToDigest(d.digest),
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
