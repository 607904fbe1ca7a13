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

// The classifiers read bytes (b[s..e)), not strings: the fast load path sees values as bytes
// of the file and making a string of each would cost more than classifying it. Strings from
// the exact parser are copied into SCRATCH first (see classifyString). Every typed form is
// ASCII, so any other byte simply makes a value text.
// Plain bytes, not Buffer: the browser's upload preview classifies values with this module too.
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const INT64_MAX = ascii("9223372036854775807");
const INT64_MIN_ABS = ascii("9223372036854775808");

/** Compares b[s..s+19) with a 19-digit limit: true if it does not exceed it. */
function withinInt64(b: Uint8Array, s: number, limit: Uint8Array): boolean {
  for (let k = 0; k < 19; k++) {
    const d = b[s + k]! - limit[k]!;
    if (d !== 0) return d < 0;
  }
  return true;
}

/**
 * Integer or decimal: optional sign, digits, optional ".digits", optional exponent.
 * With `strict` (inference) a leading zero before other digits makes it text and both sides
 * of "." need digits; the user-override path accepts what PostgreSQL accepts (007.5, .5, 5.).
 * Exponents are capped at three digits: PostgreSQL rejects |exponent| > 1000 for numeric.
 */
function classifyNumber(b: Uint8Array, s: number, e: number, strict: boolean): number {
  let i = s;
  let c = b[i]!;
  const negative = c === MINUS;
  if (c === PLUS || c === MINUS) i++;
  const intStart = i;
  while (i < e && isDigit(b[i]!)) i++;
  let intLen = i - intStart;
  if (strict && intLen > 1 && b[intStart] === DIGIT_0) return TEXT;
  if (i === e) {
    if (intLen === 0) return TEXT;
    let start = intStart;
    if (!strict) {
      while (start < e - 1 && b[start] === DIGIT_0) {
        start++;
        intLen--;
      }
    }
    if (intLen < 19) return INT;
    if (intLen > 19) return NUM;
    return withinInt64(b, start, negative ? INT64_MIN_ABS : INT64_MAX) ? INT : NUM;
  }
  let fracLen = 0;
  if (b[i] === 46 /* . */) {
    i++;
    const fracStart = i;
    while (i < e && isDigit(b[i]!)) i++;
    fracLen = i - fracStart;
    if (strict ? intLen === 0 || fracLen === 0 : intLen + fracLen === 0) return TEXT;
  } else if (intLen === 0) return TEXT;
  if (i < e) {
    c = b[i]!;
    if (c !== 101 && c !== 69 /* e E */) return TEXT;
    i++;
    c = b[i]!;
    if (c === PLUS || c === MINUS) i++;
    const expStart = i;
    while (i < e && isDigit(b[i]!)) i++;
    const expLen = i - expStart;
    if (expLen === 0 || expLen > 3 || i !== e) return TEXT;
  }
  return NUM;
}

function twoDigits(b: Uint8Array, i: number, e: number): number {
  if (i + 1 >= e) return -1;
  const x = b[i]! - DIGIT_0;
  const y = b[i + 1]! - DIGIT_0;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO 8601 forms only: YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.f{1,6}]] and an offset
 * Z | ±HH | ±HH:MM | ±HHMM. The calendar is checked (2023-02-30 is text) because PostgreSQL
 * would reject the value and fail the whole load. More than 6 fraction digits is text:
 * PostgreSQL keeps microseconds and would round the rest away.
 */
function classifyDateTime(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const y1 = twoDigits(b, s, e);
  const y2 = twoDigits(b, s + 2, e);
  if (n < 10 || y1 < 0 || y2 < 0 || b[s + 4] !== MINUS || b[s + 7] !== MINUS) return TEXT;
  const year = y1 * 100 + y2;
  const month = twoDigits(b, s + 5, e);
  const day = twoDigits(b, s + 8, e);
  if (year === 0 || month < 1 || month > 12 || day < 1) return TEXT;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month]! + (leap ? 1 : 0)) return TEXT;
  if (n === 10) return DATE;

  const sep = b[s + 10];
  if (sep !== 84 && sep !== 116 && sep !== 32 /* T t space */) return TEXT;
  const hour = twoDigits(b, s + 11, e);
  const minute = twoDigits(b, s + 14, e);
  if (n < 16 || b[s + 13] !== 58 /* : */ || hour < 0 || hour > 23 || minute < 0 || minute > 59) return TEXT;
  let i = s + 16;
  if (i < e && b[i] === 58) {
    const second = twoDigits(b, i + 1, e);
    if (second < 0 || second > 59) return TEXT;
    i += 3;
    if (i < e && b[i] === 46 /* . */) {
      const start = ++i;
      while (i < e && isDigit(b[i]!)) i++;
      if (i === start || i - start > 6) return TEXT;
    }
  }
  if (i === e) return TS;
  const c = b[i];
  if ((c === 90 || c === 122) /* Z z */ && i + 1 === e) return TSTZ;
  if (c !== PLUS && c !== MINUS) return TEXT;
  const oh = twoDigits(b, i + 1, e);
  if (oh < 0 || oh > 15) return TEXT;
  i += 3;
  if (i === e) return TSTZ;
  if (b[i] === 58) i++;
  const om = twoDigits(b, i, e);
  return om >= 0 && om <= 59 && i + 2 === e ? TSTZ : TEXT;
}

const BOOLEAN_WORDS = ["true", "false", "t", "f", "yes", "no", "y", "n"].map(ascii);

/** Case-insensitive match against the boolean words (ASCII letters: set the 0x20 bit). */
function classifyBoolean(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n > 5) return TEXT;
  words: for (const word of BOOLEAN_WORDS) {
    if (word.length !== n) continue;
    for (let k = 0; k < n; k++) if ((b[s + k]! | 0x20) !== word[k]) continue words;
    return BOOL;
  }
  return TEXT;
}

/** Dispatch on the first byte so most values are ruled in or out by one comparison. */
function classifyBytes(b: Uint8Array, s: number, e: number): number {
  const c = b[s]!;
  if (isDigit(c)) {
    // A date needs "-" at index 4; a number cannot have one there (exponent signs come later).
    return e - s >= 10 && b[s + 4] === MINUS ? classifyDateTime(b, s, e) : classifyNumber(b, s, e, true);
  }
  if (c === PLUS || c === MINUS || c === 46) return classifyNumber(b, s, e, true);
  // t f y n, either case
  if (c === 116 || c === 102 || c === 121 || c === 110 || c === 84 || c === 70 || c === 89 || c === 78) {
    return classifyBoolean(b, s, e);
  }
  return TEXT;
}

let SCRATCH = new Uint8Array(64);

/** A string's bytes in SCRATCH, or -1 if it has a non-ASCII character (then it is text). */
function asciiBytes(v: string): number {
  const n = v.length;
  if (n > SCRATCH.length) SCRATCH = new Uint8Array(Math.max(n, SCRATCH.length * 2));
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f) return -1;
    SCRATCH[i] = c;
  }
  return n;
}

function classify(v: string): number {
  const n = asciiBytes(v);
  return n < 0 ? TEXT : classifyBytes(SCRATCH, 0, n);
}

/** The type one value would give a column on its own ("" is NULL: text here). */
export function classifyText(v: string): ColumnType {
  return v.length === 0 ? "text" : typeOfMask(classify(v));
}

/** The type of a column whose values gave these kinds (TypeInferrer.masks, native classify()). */
export function typeOfMask(mask: number): ColumnType {
  switch (mask) {
    case BOOL:
      return "boolean";
    case INT:
      return "bigint";
    case NUM:
    case INT | NUM:
      return "numeric";
    case DATE:
      return "date";
    case TS:
      return "timestamp";
    case TSTZ:
      return "timestamptz";
    default:
      return "text"; // empty (only NULLs), TEXT, or an incompatible mix
  }
}

function isSettled(mask: number): boolean {
  return (
    mask === 0 || mask === BOOL || mask === INT || mask === NUM || mask === (INT | NUM) || mask === DATE || mask === TS || mask === TSTZ
  );
}

export interface TypeInferrer {
  /** Feed one record; empty strings are NULL. Fields beyond columnCount are ignored. */
  observe(row: string[]): void;
  /** Feed one non-empty value of column i. */
  observeValue(i: number, value: string): void;
  /**
   * The same for a value that is bytes b[s..e) of a UTF-8 file (the fast load path); returns
   * isOpen(i) after it, saving the fast path a second call per value.
   */
  observeBytes(i: number, b: Uint8Array, s: number, e: number): boolean;
  /** False once column i can only be text: its values need not be looked at any more. */
  isOpen(i: number): boolean;
  /** Types so far; can be called at any time, e.g. after a sample, and again at the end. */
  result(): ColumnType[];
  /**
   * The kinds seen per column, as bits: the native scanner (native/copy_scan.c) adds to them
   * directly, as observeBytes would.
   */
  readonly masks: Uint8Array;
}

/**
 * Incremental inference for the whole file: a byte of state per column, and a column that has
 * become text is never looked at again, so a wide text-heavy file costs little per row.
 */
export function createTypeInferrer(columnCount: number): TypeInferrer {
  const masks = new Uint8Array(columnCount);
  let open = columnCount; // columns not yet text
  const observeKind = (i: number, kind: number): void => {
    const m = masks[i]!;
    if (m === TEXT) return;
    let next = m | kind;
    if (next !== m) {
      if (!isSettled(next)) {
        next = TEXT;
        open--;
      }
      masks[i] = next;
    }
  };
  return {
    observeValue: (i: number, v: string) => {
      if (masks[i] !== TEXT) observeKind(i, classify(v));
    },
    observeBytes: (i: number, b: Uint8Array, s: number, e: number) => {
      if (masks[i] === TEXT) return false;
      observeKind(i, classifyBytes(b, s, e));
      return masks[i] !== TEXT;
    },
    isOpen: (i: number) => i < columnCount && masks[i] !== TEXT,
    observe(row: string[]): void {
      if (open === 0) return;
      const n = Math.min(row.length, columnCount);
      for (let i = 0; i < n; i++) {
        if (row[i]!.length !== 0 && masks[i] !== TEXT) observeKind(i, classify(row[i]!));
      }
    },
    result(): ColumnType[] {
      return Array.from(masks, typeOfMask);
    },
    masks,
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
  const n = asciiBytes(v);
  if (n < 0) return false;
  const b = SCRATCH;
  switch (type) {
    case "boolean": {
      if (classifyBoolean(b, 0, n) === BOOL) return true;
      const lower = v.toLowerCase();
      return lower === "1" || lower === "0" || lower === "on" || lower === "off";
    }
    case "bigint":
      return classifyNumber(b, 0, n, false) === INT;
    case "numeric": {
      const k = classifyNumber(b, 0, n, false);
      return k === INT || k === NUM;
    }
    case "date":
      return classifyDateTime(b, 0, n) === DATE;
    case "timestamp": {
      const k = classifyDateTime(b, 0, n);
      return k === DATE || k === TS;
    }
    case "timestamptz": {
      const k = classifyDateTime(b, 0, n);
      return k === DATE || k === TS || k === TSTZ;
    }
  }
}
