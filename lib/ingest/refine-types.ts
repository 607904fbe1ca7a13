import type { Sql } from "postgres";
import type { ColumnFormat, ColumnType, DatasetColumn, DatasetOptions } from "@/db/schema/datasets";
import { quoteIdent } from "@/lib/csv/headers";
import { DEFAULT_NULL_MARKERS } from "@/lib/validation/datasets";

/*
 * The second look at columns the load inferred as text: real files write numbers and dates in
 * forms the load's byte classifier (lib/csv/infer.ts) does not take — "NA" among numbers, ".097",
 * "  656609 ", "1,234,567", "05/04/2014", "2015/01/01 01:00:00". Those forms are checked here, in
 * SQL over the whole staging table, after the load: the classifier runs on every byte of every
 * file and stays small and fast, while this pass costs a sample of the first rows and one scan
 * only when some text column's sample fits a form.
 *
 * The guarantees stay those of inference: a column is typed only if every value (other than a
 * null marker) reads back meaning the same thing; leading-zero codes stay text; a date column
 * whose day and month could be either way round stays text unless the dataset says which
 * (options.dateOrder), and says why.
 *
 * Each form's pattern is written once and used twice, by JavaScript on the sample and by
 * PostgreSQL on the whole column: both engines read this subset of regular-expression syntax
 * ([0-9], {m,n}, ^$, \., groups) the same way.
 */

type Form = {
  format: ColumnFormat;
  type: ColumnType;
  pattern: string;
  /** Groups of the pattern holding year, month and day, and the hour, minute and second. */
  date?: { y: number; m: number; d: number; time?: { h: number; mi: number; s: number } };
  /** The value in PostgreSQL's input syntax, from `v` (the trimmed value). */
  cast: (v: string) => string;
};

const TIME = "[ T]([0-9]{1,2}):([0-9]{2})(:([0-9]{2})(\\.[0-9]{1,6})?)?";
const plainCast = (type: ColumnType) => (v: string) => `${v}::${type}`;
/** Reorders the date part to ISO (PostgreSQL reads 2014-4-5 and 2014-04-05 alike); a time stays as written. */
const isoDate = (pattern: string, order: string, type: ColumnType) => (v: string) =>
  `regexp_replace(${v}, '${pattern.replace(TIME, "").replace(/\$$/, "")}', '${order}')::${type}`;

const DMY = "^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})";
const DOT = "^([0-9]{1,2})\\.([0-9]{1,2})\\.([0-9]{4})";
const YMD = "^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})";

/** In the order tried: the first form every value fits wins. */
const FORMS: Form[] = [
  { format: "plain", type: "bigint", pattern: "^[+-]?(0|[1-9][0-9]{0,17})$", cast: plainCast("bigint") },
  {
    format: "plain",
    type: "numeric",
    pattern: "^[+-]?(0|[1-9][0-9]*|(0|[1-9][0-9]*)?\\.[0-9]+|(0|[1-9][0-9]*)\\.)([eE][+-]?[0-9]{1,3})?$",
    cast: plainCast("numeric"),
  },
  {
    format: "thousands",
    type: "bigint",
    pattern: "^[+-]?(0|[1-9][0-9]{0,2}(,[0-9]{3}){0,5})$",
    cast: (v) => `replace(${v}, ',', '')::bigint`,
  },
  {
    format: "thousands",
    type: "numeric",
    pattern: "^[+-]?(0|[1-9][0-9]{0,2}(,[0-9]{3})*)(\\.[0-9]+)?$",
    cast: (v) => `replace(${v}, ',', '')::numeric`,
  },
  {
    format: "plain",
    type: "boolean",
    pattern: "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo])$",
    cast: plainCast("boolean"),
  },
  { format: "plain", type: "date", pattern: "^([0-9]{4})-([0-9]{2})-([0-9]{2})$", date: { y: 1, m: 2, d: 3 }, cast: plainCast("date") },
  {
    format: "plain",
    type: "timestamp",
    pattern: `^([0-9]{4})-([0-9]{2})-([0-9]{2})${TIME}$`,
    date: { y: 1, m: 2, d: 3, time: { h: 4, mi: 5, s: 7 } },
    cast: plainCast("timestamp"),
  },
  { format: "YYYY/MM/DD", type: "date", pattern: `${YMD}$`, date: { y: 1, m: 2, d: 3 }, cast: isoDate(`${YMD}$`, "\\1-\\2-\\3", "date") },
  {
    format: "YYYY/MM/DD HH:MI:SS",
    type: "timestamp",
    pattern: `${YMD}${TIME}$`,
    date: { y: 1, m: 2, d: 3, time: { h: 4, mi: 5, s: 7 } },
    cast: isoDate(`${YMD}${TIME}$`, "\\1-\\2-\\3", "timestamp"),
  },
  { format: "DD/MM/YYYY", type: "date", pattern: `${DMY}$`, date: { y: 3, m: 2, d: 1 }, cast: isoDate(`${DMY}$`, "\\3-\\2-\\1", "date") },
  { format: "MM/DD/YYYY", type: "date", pattern: `${DMY}$`, date: { y: 3, m: 1, d: 2 }, cast: isoDate(`${DMY}$`, "\\3-\\1-\\2", "date") },
  {
    format: "DD/MM/YYYY HH:MI:SS",
    type: "timestamp",
    pattern: `${DMY}${TIME}$`,
    date: { y: 3, m: 2, d: 1, time: { h: 4, mi: 5, s: 7 } },
    cast: isoDate(`${DMY}${TIME}$`, "\\3-\\2-\\1", "timestamp"),
  },
  {
    format: "MM/DD/YYYY HH:MI:SS",
    type: "timestamp",
    pattern: `${DMY}${TIME}$`,
    date: { y: 3, m: 1, d: 2, time: { h: 4, mi: 5, s: 7 } },
    cast: isoDate(`${DMY}${TIME}$`, "\\3-\\1-\\2", "timestamp"),
  },
  { format: "DD.MM.YYYY", type: "date", pattern: `${DOT}$`, date: { y: 3, m: 2, d: 1 }, cast: isoDate(`${DOT}$`, "\\3-\\2-\\1", "date") },
  {
    format: "DD.MM.YYYY HH:MI:SS",
    type: "timestamp",
    pattern: `${DOT}${TIME}$`,
    date: { y: 3, m: 2, d: 1, time: { h: 4, mi: 5, s: 7 } },
    cast: isoDate(`${DOT}${TIME}$`, "\\3-\\2-\\1", "timestamp"),
  },
];

/** Rows sampled for every text column at once; only columns whose sample fits a form are scanned. */
const SAMPLE_ROWS = 1000;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlTextArray = (values: readonly string[]) => `array[${values.map(sqlString).join(", ")}]::text[]`;

export function nullMarkersOf(options: Pick<DatasetOptions, "nullMarkers">): string[] {
  return options.nullMarkers ?? DEFAULT_NULL_MARKERS;
}

/** The trimmed value, NULL when blank or a marker: what a refined or chosen type casts. */
function nullableValue(ident: string, markers: readonly string[] | undefined): string {
  if (!markers?.length) return `nullif(btrim(${ident}), '')`;
  return `(case when btrim(${ident}) = '' or btrim(${ident}) = any(${sqlTextArray(markers)}) then null else btrim(${ident}) end)`;
}

/** The cast of a refined column, or of a chosen type over null markers, in the typed table (lib/ingest/typed-table.ts). */
export function refinedCast(column: DatasetColumn): string | null {
  const value = refinedValue(column);
  return value === null ? null : `${value} as ${quoteIdent(column.name)}`;
}

/** refinedCast's expression alone (for ALTER COLUMN … TYPE … USING). */
export function refinedValue(column: DatasetColumn): string | null {
  const ident = quoteIdent(column.name);
  if (column.overrideType) {
    return column.nullMarkers?.length && column.overrideType !== "text"
      ? `${nullableValue(ident, column.nullMarkers)}::${column.overrideType}`
      : null;
  }
  if (!column.format && !column.nullMarkers?.length) return null;
  const form = FORMS.find((f) => f.format === (column.format ?? "plain") && f.type === column.inferredType);
  if (!form) return null;
  return form.cast(nullableValue(ident, column.nullMarkers));
}

/** A SQL boolean: the value (groups `g` of the form's pattern) is a real calendar date and time. */
function calendarCheck(form: Form, g: string): string {
  const { y, m, d, time } = form.date!;
  const int = (i: number) => `(${g})[${i}]::int`;
  // CASE, not AND: make_date must not see a month outside 1–12 (it would raise, failing the load).
  let check = `case when ${int(m)} between 1 and 12 and ${int(y)} between 1 and 9999 then ${int(d)} between 1 and extract(day from make_date(${int(y)}, ${int(m)}, 1) + interval '1 month - 1 day')::int else false end`;
  if (time) check += ` and ${int(time.h)} <= 23 and ${int(time.mi)} <= 59 and coalesce(${int(time.s)}, 0) <= 59`;
  return check;
}

type Decision = { type: ColumnType; format?: ColumnFormat; nullMarkers?: string[]; note?: string };

/** What the whole-table scan checks for one column: the forms its sample fits. */
type Plan = { column: DatasetColumn; index: number; candidates: Form[] };

/**
 * Types what it can among the text columns of `table` (a staging table of this dataset) and
 * returns the columns with the decisions; columns it cannot type come back unchanged. Two
 * queries whatever the width of the file: the first SAMPLE_ROWS rows for every text column,
 * then one scan checking every candidate form of every column that has one.
 */
export async function refineTextColumns(
  sql: Sql,
  table: string,
  columns: readonly DatasetColumn[],
  options: Pick<DatasetOptions, "nullMarkers" | "dateOrder" | "types">,
  /** The file's delimiter: in a comma-delimited file a comma inside a number cannot be a decimal comma's locale. */
  delimiter = ",",
): Promise<DatasetColumn[]> {
  const markers = nullMarkersOf(options);
  const markerSet = new Set(markers);
  // A type the user chose reads the markers as NULL too (the load's check let them through).
  const out = columns.map((c): DatasetColumn => {
    const { nullMarkers: _n, ...rest } = c;
    return c.overrideType && c.overrideType !== "text" && markers.length ? { ...rest, nullMarkers: markers } : c;
  });
  const open = out.map((c, index) => ({ column: c, index })).filter(({ column }) => column.inferredType === "text" && !column.overrideType);
  if (options.types === "text" || open.length === 0) return out;

  const sampleRows = (await sql.unsafe(
    `select ${open.map(({ column }, k) => `btrim(${quoteIdent(column.name)}) as s${k}`).join(", ")} from ${table} limit ${SAMPLE_ROWS}`,
  )) as unknown as Record<string, string | null>[];
  const plans: Plan[] = [];
  open.forEach(({ column, index }, k) => {
    const values = sampleRows.map((r) => r[`s${k}`]).filter((v): v is string => v !== null && v !== "" && !markerSet.has(v));
    // A column empty in the sample stays text: nothing says what it holds.
    if (values.length === 0) return;
    const candidates = FORMS.filter((form) => {
      const re = new RegExp(form.pattern);
      return values.every((v) => re.test(v));
    });
    if (candidates.length) plans.push({ column, index, candidates });
  });
  if (plans.length === 0) return out;

  const markerArray = sqlTextArray(markers);
  const selects = plans.flatMap((plan, p) => {
    const ident = quoteIdent(plan.column.name);
    const v = `btrim(${ident})`;
    // Blank values (a padded fixed-width column's empty cells) are NULLs like markers.
    const nonMarker = `${ident} is not null and ${v} <> '' and ${v} <> all(${markerArray})`;
    return [
      ...plan.candidates.map((form, i) => {
        const match = `${v} ~ ${sqlString(form.pattern)}`;
        const fits = form.date
          ? `${match} and (select ${calendarCheck(form, "g")} from (select regexp_match(${v}, ${sqlString(form.pattern)}) as g) as m)`
          : match;
        return `coalesce(bool_and(${fits}) filter (where ${nonMarker}), false) as p${p}_f${i}`;
      }),
      `count(*) filter (where ${ident} is not null and ${v} = any(${markerArray}))::bigint as p${p}_markers`,
      `coalesce(bool_or(${v} ~ ',') filter (where ${nonMarker}), false) as p${p}_commas`,
      `coalesce(bool_or(${v} ~ '(,[0-9]{3}){2}|[.]') filter (where ${nonMarker}), false) as p${p}_grouped`,
    ];
  });
  const [row] = (await sql.unsafe(`select ${selects.join(",\n  ")} from ${table}`)) as unknown as Record<string, unknown>[];

  plans.forEach((plan, p) => {
    const fitting = plan.candidates.filter((_, i) => row![`p${p}_f${i}`] === true);
    const decision = decide(fitting, {
      markers: Number(row![`p${p}_markers`]) > 0 ? markers : undefined,
      commas: row![`p${p}_commas`] === true,
      grouped: row![`p${p}_grouped`] === true,
      dateOrder: options.dateOrder,
      delimiter,
    });
    const { format: _f, nullMarkers: _n, note: _o, ...base } = plan.column;
    out[plan.index] = {
      ...base,
      inferredType: decision.type,
      // "plain" too: a refined column's values may carry spaces, so its cast trims them.
      ...(decision.format ? { format: decision.format } : {}),
      ...(decision.nullMarkers?.length ? { nullMarkers: decision.nullMarkers } : {}),
      ...(decision.note ? { note: decision.note } : {}),
    };
  });
  return out;
}

/** The form a column is read in, from the forms every one of its values fits. */
function decide(
  fitting: Form[],
  seen: { markers?: string[]; commas: boolean; grouped: boolean; dateOrder?: "DMY" | "MDY"; delimiter: string },
): Decision {
  const pick = (form: Form, note?: string): Decision => ({ type: form.type, format: form.format, nullMarkers: seen.markers, note });
  const plain = fitting.find((f) => f.format === "plain");
  if (plain) return pick(plain);
  const thousands = fitting.find((f) => f.format === "thousands");
  if (thousands) {
    // "1,234" alone could be 1.234 written with a decimal comma. Locales that write decimal
    // commas delimit their files with ";" or tabs, so in a comma-delimited file (where the
    // value had to be quoted) it is a thousands separator; elsewhere only when some value has
    // two groups or a decimal point too.
    if (!seen.commas || seen.grouped || seen.delimiter === ",") return pick(thousands);
    return { type: "text", note: "Numbers like 1,234 could use the comma for thousands or for decimals; it stays text." };
  }
  const dayFirst = fitting.find((f) => f.format.startsWith("DD/"));
  const monthFirst = fitting.find((f) => f.format.startsWith("MM/"));
  if (dayFirst && monthFirst) {
    if (seen.dateOrder === "DMY") return pick(dayFirst);
    if (seen.dateOrder === "MDY") return pick(monthFirst);
    return {
      type: "text",
      note: "Every date here reads both as day/month and as month/day; it stays text until you choose the order.",
    };
  }
  const date = fitting[0];
  return date ? pick(date) : { type: "text" };
}
