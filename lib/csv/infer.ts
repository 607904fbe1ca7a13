export type ColumnType = "boolean" | "bigint" | "numeric" | "date" | "timestamp" | "timestamptz" | "text";

/*
 * Each value is classified into exactly one kind; a column's type follows from the set of
 * kinds seen. Bits let that set live in one byte per column.
 *
 * Inference aims to be lossless: a column gets a non-text type only if every value reads back
 * meaning the same thing. Hence leading zeros stay text (zip codes, IDs), and mixes widen
 * only where no information is lost:
 *   bigint + numeric        → numeric
 *   date + timestamp        → text (a date is not "midnight"; widening would invent a time)
 *   timestamp + timestamptz → text (the offset-less values have no known zone)
 *   anything else mixed     → text
 * Users who want otherwise force a type, and castCheck says which values would not fit.
 */
const BOOL = 1;
const INT = 2;
const NUM = 4;
const DATE = 8;
const TS = 16;
const TSTZ = 32;
const TEXT = 64;

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const PLUS = 43;
const MINUS = 45;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

const INT64_MAX = "9223372036854775807";
const INT64_MIN_ABS = "9223372036854775808";

/**
 * Integer or decimal: optional sign, digits, optional ".digits", optional exponent.
 * With `strict` (inference) a leading zero before other digits makes it text and both sides
 * of "." need digits; the user-override path accepts what PostgreSQL accepts (007.5, .5, 5.).
 * Exponents are capped at three digits: PostgreSQL rejects |exponent| > 1000 for numeric.
 */
function classifyNumber(v: string, strict: boolean): number {
  const n = v.length;
  let i = 0;
  let c = v.charCodeAt(0);
  const negative = c === MINUS;
  if (c === PLUS || c === MINUS) i++;
  const intStart = i;
  while (i < n && isDigit(v.charCodeAt(i))) i++;
  let intLen = i - intStart;
  if (strict && intLen > 1 && v.charCodeAt(intStart) === DIGIT_0) return TEXT;
  if (i === n) {
    if (intLen === 0) return TEXT;
    let start = intStart;
    if (!strict) while (start < n - 1 && v.charCodeAt(start) === DIGIT_0) start++, intLen--;
    if (intLen < 19) return INT;
    if (intLen > 19) return NUM;
    return v.slice(start) <= (negative ? INT64_MIN_ABS : INT64_MAX) ? INT : NUM;
  }
  let fracLen = 0;
  if (v.charCodeAt(i) === 46 /* . */) {
    i++;
    const fracStart = i;
    while (i < n && isDigit(v.charCodeAt(i))) i++;
    fracLen = i - fracStart;
    if (strict ? intLen === 0 || fracLen === 0 : intLen + fracLen === 0) return TEXT;
  } else if (intLen === 0) return TEXT;
  if (i < n) {
    c = v.charCodeAt(i);
    if (c !== 101 && c !== 69 /* e E */) return TEXT;
    i++;
    c = v.charCodeAt(i);
    if (c === PLUS || c === MINUS) i++;
    const expStart = i;
    while (i < n && isDigit(v.charCodeAt(i))) i++;
    const expLen = i - expStart;
    if (expLen === 0 || expLen > 3 || i !== n) return TEXT;
  }
  return NUM;
}

function twoDigits(v: string, i: number): number {
  const a = v.charCodeAt(i) - DIGIT_0;
  const b = v.charCodeAt(i + 1) - DIGIT_0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO 8601 forms only: YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.f{1,6}]] and an offset
 * Z | ±HH | ±HH:MM | ±HHMM. The calendar is checked (2023-02-30 is text) because PostgreSQL
 * would reject the value and fail the whole load. More than 6 fraction digits is text:
 * PostgreSQL keeps microseconds and would round the rest away.
 */
function classifyDateTime(v: string): number {
  const n = v.length;
  const y1 = twoDigits(v, 0);
  const y2 = twoDigits(v, 2);
  if (y1 < 0 || y2 < 0 || v.charCodeAt(4) !== MINUS || v.charCodeAt(7) !== MINUS) return TEXT;
  const year = y1 * 100 + y2;
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  if (year === 0 || month < 1 || month > 12 || day < 1) return TEXT;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month] + (leap ? 1 : 0)) return TEXT;
  if (n === 10) return DATE;

  const sep = v.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32 /* T t space */) return TEXT;
  const hour = twoDigits(v, 11);
  const minute = twoDigits(v, 14);
  if (n < 16 || v.charCodeAt(13) !== 58 /* : */ || hour < 0 || hour > 23 || minute < 0 || minute > 59) return TEXT;
  let i = 16;
  if (v.charCodeAt(i) === 58) {
    const second = twoDigits(v, i + 1);
    if (second < 0 || second > 59) return TEXT;
    i += 3;
    if (v.charCodeAt(i) === 46 /* . */) {
      const start = ++i;
      while (i < n && isDigit(v.charCodeAt(i))) i++;
      if (i === start || i - start > 6) return TEXT;
    }
  }
  if (i === n) return TS;
  const c = v.charCodeAt(i);
  if ((c === 90 || c === 122) /* Z z */ && i + 1 === n) return TSTZ;
  if (c !== PLUS && c !== MINUS) return TEXT;
  const oh = twoDigits(v, i + 1);
  if (oh < 0 || oh > 15) return TEXT;
  i += 3;
  if (i === n) return TSTZ;
  if (v.charCodeAt(i) === 58) i++;
  const om = twoDigits(v, i);
  return om >= 0 && om <= 59 && i + 2 === n ? TSTZ : TEXT;
}

function classifyBoolean(v: string): number {
  if (v.length > 5) return TEXT;
  switch (v.toLowerCase()) {
    case "true": case "false": case "t": case "f": case "yes": case "no": case "y": case "n":
      return BOOL;
    default:
      return TEXT;
  }
}

/** Dispatch on the first character so most values are ruled in or out by one comparison. */
function classify(v: string): number {
  const c = v.charCodeAt(0);
  if (isDigit(c)) {
    // A date needs "-" at index 4; a number cannot have one there (exponent signs come later).
    return v.length >= 10 && v.charCodeAt(4) === MINUS ? classifyDateTime(v) : classifyNumber(v, true);
  }
  if (c === PLUS || c === MINUS || c === 46) return classifyNumber(v, true);
  // t f y n, either case
  if (c === 116 || c === 102 || c === 121 || c === 110 || c === 84 || c === 70 || c === 89 || c === 78) {
    return classifyBoolean(v);
  }
  return TEXT;
}

function typeOf(mask: number): ColumnType {
  switch (mask) {
    case BOOL: return "boolean";
    case INT: return "bigint";
    case NUM: case INT | NUM: return "numeric";
    case DATE: return "date";
    case TS: return "timestamp";
    case TSTZ: return "timestamptz";
    default: return "text"; // empty (only NULLs), TEXT, or an incompatible mix
  }
}

function isSettled(mask: number): boolean {
  return mask === 0 || mask === BOOL || mask === INT || mask === NUM || mask === (INT | NUM) ||
    mask === DATE || mask === TS || mask === TSTZ;
}

export interface TypeInferrer {
  /** Feed one record; empty strings are NULL. Fields beyond columnCount are ignored. */
  observe(row: string[]): void;
  /** Feed one non-empty value of column i (the fast load path sees values one by one). */
  observeValue(i: number, value: string): void;
  /** False once column i can only be text: its values need not be looked at any more. */
  isOpen(i: number): boolean;
  /** Types so far; can be called at any time, e.g. after a sample, and again at the end. */
  result(): ColumnType[];
}

/**
 * Incremental inference for the whole file: a byte of state per column, and a column that has
 * become text is never looked at again, so a wide text-heavy file costs little per row.
 */
export function createTypeInferrer(columnCount: number): TypeInferrer {
  const masks = new Uint8Array(columnCount);
  let open = columnCount; // columns not yet text
  const observeValue = (i: number, v: string): void => {
    const m = masks[i];
    if (m === TEXT) return;
    let next = m | classify(v);
    if (next !== m) {
      if (!isSettled(next)) {
        next = TEXT;
        open--;
      }
      masks[i] = next;
    }
  };
  return {
    observeValue,
    isOpen: (i: number) => i < columnCount && masks[i] !== TEXT,
    observe(row: string[]): void {
      if (open === 0) return;
      const n = Math.min(row.length, columnCount);
      for (let i = 0; i < n; i++) {
        if (row[i].length !== 0) observeValue(i, row[i]);
      }
    },
    result(): ColumnType[] {
      return Array.from(masks, typeOf);
    },
  };
}

/**
 * For a type the user forced: will this value load into it? Looser than inference where
 * PostgreSQL accepts the value without changing its meaning (leading zeros, 1/0 and on/off
 * for booleans, surrounding spaces, a date-only value for a timestamp), stricter where it
 * would silently lose or invent information (an offset dropped by `timestamp`, a time
 * dropped by `date`, fractions rounded past microseconds). NaN and Infinity are refused so
 * that aggregates stay finite. For `timestamptz`, offset-less values are read in the
 * loader's session time zone, which it must set to UTC.
 */
export function castCheck(value: string, type: ColumnType): boolean {
  if (type === "text") return true;
  const v = value.trim();
  if (v.length === 0) return value.length === 0; // "" is NULL; whitespace only is not a value
  switch (type) {
    case "boolean": {
      if (classifyBoolean(v) === BOOL) return true;
      const lower = v.toLowerCase();
      return lower === "1" || lower === "0" || lower === "on" || lower === "off";
    }
    case "bigint":
      return classifyNumber(v, false) === INT;
    case "numeric": {
      const k = classifyNumber(v, false);
      return k === INT || k === NUM;
    }
    case "date":
      return classifyDateTime(v) === DATE;
    case "timestamp": {
      const k = classifyDateTime(v);
      return k === DATE || k === TS;
    }
    case "timestamptz": {
      const k = classifyDateTime(v);
      return k === DATE || k === TS || k === TSTZ;
    }
  }
}
