import type { DatasetOptionsInput } from "@/lib/validation/datasets";

// The flat form fields of the "Advanced options" section and the options object they make.
// Used by the URL action on the server and by the upload form in the browser (which sends the
// object as JSON), so both paths read the form the same way; lib/validation checks the result.

export const OPTION_FIELDS = [
  "delimiter",
  "encoding",
  "header",
  "headerLine",
  "loadMode",
  "keyColumns",
  "types",
  "badRowsMode",
  "badRowsMax",
  "nullMarkers",
  "dateOrder",
] as const;
export type OptionField = (typeof OPTION_FIELDS)[number];

export const DELIMITER_CHOICES = [
  { value: "auto", label: "Detect automatically" },
  { value: ",", label: "Comma (,)" },
  { value: ";", label: "Semicolon (;)" },
  { value: "tab", label: "Tab" },
  { value: "|", label: "Pipe (|)" },
] as const;

/** Suggestions for the encoding field; any other label the server knows is accepted too. */
export const ENCODING_SUGGESTIONS = ["utf-8", "windows-1252", "latin1", "utf-16le", "utf-16be"] as const;

function text(form: FormData, key: string): string {
  const value = form.get(key);
  return typeof value === "string" ? value.trim() : "";
}

/** Key columns arrive as repeated fields (checkboxes) and/or one comma-separated text field. */
function keyColumns(form: FormData): string[] {
  return form
    .getAll("keyColumns")
    .flatMap((v) => (typeof v === "string" ? v.split(",") : []))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function optionsFromFormData(form: FormData): DatasetOptionsInput {
  const delimiter = text(form, "delimiter");
  const encoding = text(form, "encoding");
  const loadMode = text(form, "loadMode") || "replace";
  const badRowsMode = text(form, "badRowsMode");
  const options: Record<string, unknown> = {
    loadMode,
    types: text(form, "types") === "text" ? "text" : "infer",
    badRows:
      badRowsMode === "skip"
        ? { mode: "skip", max: text(form, "badRowsMax") }
        : { mode: badRowsMode === "error" || badRowsMode === "fail" ? "error" : "pad" },
  };
  const header = text(form, "header");
  if (header === "yes" || header === "no") options.header = header === "yes";
  const headerLine = text(form, "headerLine");
  if (headerLine) options.headerLine = headerLine;
  const markers = text(form, "nullMarkers");
  if (markers)
    options.nullMarkers = markers
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean);
  const dateOrder = text(form, "dateOrder");
  if (dateOrder === "DMY" || dateOrder === "MDY") options.dateOrder = dateOrder;
  if (delimiter && delimiter !== "auto") options.delimiter = delimiter === "tab" ? "\t" : delimiter;
  if (encoding && encoding.toLowerCase() !== "auto") options.encoding = encoding;
  if (loadMode === "upsert") options.keyColumns = keyColumns(form);
  // Validated by datasetOptionsInput on the server; the cast only names the shape sent.
  return options as DatasetOptionsInput;
}

/**
 * Which form field an error path from the server belongs to. The URL action reports paths under
 * "options." and the upload route without it; "badRows.max" is the "up to N" field.
 */
export function fieldForErrorPath(path: string): string {
  const p = path.replace(/^options\./, "");
  if (p.startsWith("keyColumns")) return "keyColumns";
  if (p.startsWith("badRows")) return "badRowsMax";
  const head = p.split(".")[0];
  return head;
}

/** Regroups server field errors by form field; paths that name no field end up in `_form`. */
export function groupFieldErrors(fieldErrors: Record<string, string[]> | undefined, known: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(fieldErrors ?? {})) {
    const field = fieldForErrorPath(path);
    const key = known.includes(field) ? field : "_form";
    (out[key] ??= []).push(...messages);
  }
  return out;
}
