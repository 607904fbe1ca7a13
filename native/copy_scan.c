/*
 * The record fast path of lib/csv/copy-scan.ts, in C: the same walk, the same output and the
 * same type classification (lib/csv/infer.ts), at memory speed. It exists because the scan is
 * the worker's largest cost (about half of its CPU on a large load) and the worker shares two
 * cores with PostgreSQL's COPY; no maintained package does this job (scan CSV bytes for COPY,
 * splice line numbers, classify values) natively.
 *
 * It only ever handles the easy records — they end with LF or CRLF inside the chunk, have no other
 * CR outside quotes, the right field count, no stray quotes — and stops at the first other one, which the
 * TypeScript scanner then takes from its first byte. So this file needs no chunk-boundary
 * state, no error messages and no header handling: anything unusual is simply not done here.
 *
 * Tests (`npx vitest run --project unit lib/csv`):
 *  - lib/csv/native-scan.test.ts runs the TypeScript scanner with and without this one on the
 *    same generated files, and every vector of lib/csv/classification-vectors.json through
 *    classify() below and through both scanners;
 *  - lib/csv/infer.test.ts checks lib/csv/infer.ts against the same vectors, so the C and
 *    TypeScript classifiers answer to one table: a change to one of them that the other does
 *    not share fails a test.
 * RELAYBOARD_NATIVE_SCAN=off (lib/env.ts) makes the app use the TypeScript scanner alone.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define QUOTE 0x22
#define LF 0x0a
#define CR 0x0d

/* Kinds, as in lib/csv/infer.ts. */
#define K_BOOL 1
#define K_INT 2
#define K_NUM 4
#define K_DATE 8
#define K_TS 16
#define K_TSTZ 32
#define K_TEXT 64

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static const char INT64_MAX_DIGITS[] = "9223372036854775807";
static const char INT64_MIN_ABS_DIGITS[] = "9223372036854775808";

static int within_int64(const uint8_t *b, size_t s, const char *limit) {
  for (int k = 0; k < 19; k++) {
    int d = (int)b[s + k] - (int)(uint8_t)limit[k];
    if (d != 0) return d < 0;
  }
  return 1;
}

/* classifyNumber(b, s, e, strict = true) */
static int classify_number(const uint8_t *b, size_t s, size_t e) {
  size_t i = s;
  uint8_t c = b[i];
  int negative = c == '-';
  if (c == '+' || c == '-') i++;
  size_t int_start = i;
  while (i < e && is_digit(b[i])) i++;
  size_t int_len = i - int_start;
  if (int_len > 1 && b[int_start] == '0') return K_TEXT;
  if (i == e) {
    if (int_len == 0) return K_TEXT;
    if (int_len < 19) return K_INT;
    if (int_len > 19) return K_NUM;
    return within_int64(b, int_start, negative ? INT64_MIN_ABS_DIGITS : INT64_MAX_DIGITS) ? K_INT : K_NUM;
  }
  if (b[i] == '.') {
    i++;
    size_t frac_start = i;
    while (i < e && is_digit(b[i])) i++;
    size_t frac_len = i - frac_start;
    if (int_len == 0 || frac_len == 0) return K_TEXT;
  } else if (int_len == 0) {
    return K_TEXT;
  }
  if (i < e) {
    c = b[i];
    if (c != 'e' && c != 'E') return K_TEXT;
    i++;
    /* As in TypeScript, reading one past the value is harmless: the byte is a delimiter, LF or quote. */
    c = i < e ? b[i] : 0;
    if (c == '+' || c == '-') i++;
    size_t exp_start = i;
    while (i < e && is_digit(b[i])) i++;
    size_t exp_len = i - exp_start;
    if (exp_len == 0 || exp_len > 3 || i != e) return K_TEXT;
  }
  return K_NUM;
}

static int two_digits(const uint8_t *b, size_t i, size_t e) {
  if (i + 1 >= e) return -1;
  int x = (int)b[i] - '0', y = (int)b[i + 1] - '0';
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

static const int DAYS_IN_MONTH[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* classifyDateTime(b, s, e) */
static int classify_date_time(const uint8_t *b, size_t s, size_t e) {
  size_t n = e - s;
  int y1 = two_digits(b, s, e), y2 = two_digits(b, s + 2, e);
  if (n < 10 || y1 < 0 || y2 < 0 || b[s + 4] != '-' || b[s + 7] != '-') return K_TEXT;
  int year = y1 * 100 + y2;
  int month = two_digits(b, s + 5, e), day = two_digits(b, s + 8, e);
  if (year == 0 || month < 1 || month > 12 || day < 1) return K_TEXT;
  int leap = month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (day > DAYS_IN_MONTH[month] + leap) return K_TEXT;
  if (n == 10) return K_DATE;

  uint8_t sep = b[s + 10];
  if (sep != 'T' && sep != 't' && sep != ' ') return K_TEXT;
  int hour = two_digits(b, s + 11, e), minute = two_digits(b, s + 14, e);
  if (n < 16 || b[s + 13] != ':' || hour < 0 || hour > 23 || minute < 0 || minute > 59) return K_TEXT;
  size_t i = s + 16;
  if (i < e && b[i] == ':') {
    int second = two_digits(b, i + 1, e);
    if (second < 0 || second > 59) return K_TEXT;
    i += 3;
    if (i < e && b[i] == '.') {
      size_t start = ++i;
      while (i < e && is_digit(b[i])) i++;
      if (i == start || i - start > 6) return K_TEXT;
    }
  }
  if (i == e) return K_TS;
  uint8_t c = b[i];
  if ((c == 'Z' || c == 'z') && i + 1 == e) return K_TSTZ;
  if (c != '+' && c != '-') return K_TEXT;
  int oh = two_digits(b, i + 1, e);
  if (oh < 0 || oh > 15) return K_TEXT;
  i += 3;
  if (i == e) return K_TSTZ;
  if (b[i] == ':') i++;
  int om = two_digits(b, i, e);
  return om >= 0 && om <= 59 && i + 2 == e ? K_TSTZ : K_TEXT;
}

static const char *BOOLEAN_WORDS[] = {"true", "false", "t", "f", "yes", "no", "y", "n"};

static int classify_boolean(const uint8_t *b, size_t s, size_t e) {
  size_t n = e - s;
  if (n > 5) return K_TEXT;
  for (int w = 0; w < 8; w++) {
    const char *word = BOOLEAN_WORDS[w];
    if (strlen(word) != n) continue;
    size_t k = 0;
    while (k < n && (b[s + k] | 0x20) == (uint8_t)word[k]) k++;
    if (k == n) return K_BOOL;
  }
  return K_TEXT;
}

/* classifyBytes(b, s, e), s < e */
static int classify(const uint8_t *b, size_t s, size_t e) {
  uint8_t c = b[s];
  if (is_digit(c)) return e - s >= 10 && b[s + 4] == '-' ? classify_date_time(b, s, e) : classify_number(b, s, e);
  if (c == '+' || c == '-' || c == '.') return classify_number(b, s, e);
  if (c == 't' || c == 'f' || c == 'y' || c == 'n' || c == 'T' || c == 'F' || c == 'Y' || c == 'N') return classify_boolean(b, s, e);
  return K_TEXT;
}

static int is_settled(int m) {
  return m == 0 || m == K_BOOL || m == K_INT || m == K_NUM || m == (K_INT | K_NUM) || m == K_DATE || m == K_TS || m == K_TSTZ;
}

/* observeKind, then the fast path's "a text column is no longer wanted". */
static void observe(uint8_t *masks, uint8_t *wanted, size_t f, int kind) {
  int m = masks[f];
  if (m == K_TEXT) return;
  int next = m | kind;
  if (next != m) {
    if (!is_settled(next)) next = K_TEXT;
    masks[f] = (uint8_t)next;
  }
  if (masks[f] == K_TEXT) wanted[f] = 0;
}

static size_t digits_of(uint64_t v) {
  size_t d = 1;
  while (v >= 10) {
    v /= 10;
    d++;
  }
  return d;
}

static int get_buffer(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  void *p;
  if (napi_get_buffer_info(env, v, &p, len) != napi_ok) {
    napi_typedarray_type type;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &offset) != napi_ok) return 0;
  }
  *data = (uint8_t *)p;
  return 1;
}

/*
 * scanRecords(chunk, out, wanted, masks, state: Float64Array, delimiter, expected, maxFieldBytes)
 * state in:  [i, cut, pos, line]; state out: [i, cut, pos, line, records, recordEndOut]
 * Starts at a record start (i) with chunk[cut..i) still to be copied to out[pos..]; walks
 * records as lib/csv/copy-scan.ts's fast path does; stops before the first record it cannot
 * take (or at the chunk's end) and leaves that record's start in state[0].
 */
static napi_value ScanRecords(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "scanRecords needs 8 arguments");
    return NULL;
  }
  uint8_t *chunk, *out, *wanted, *masks, *state_bytes;
  size_t n, out_len, wanted_len, masks_len, state_len;
  if (!get_buffer(env, argv[0], &chunk, &n) || !get_buffer(env, argv[1], &out, &out_len) || !get_buffer(env, argv[2], &wanted, &wanted_len) ||
      !get_buffer(env, argv[3], &masks, &masks_len) || !get_buffer(env, argv[4], &state_bytes, &state_len) || state_len < 6) {
    napi_throw_type_error(env, NULL, "scanRecords: bad buffers");
    return NULL;
  }
  double *state = (double *)state_bytes;
  int32_t delim_i, expected_i;
  double max_field_d;
  napi_get_value_int32(env, argv[5], &delim_i);
  napi_get_value_int32(env, argv[6], &expected_i);
  napi_get_value_double(env, argv[7], &max_field_d);
  const uint8_t delim = (uint8_t)delim_i;
  const size_t expected = (size_t)expected_i;
  const size_t max_field = (size_t)max_field_d;
  const size_t wanted_n = wanted_len < masks_len ? wanted_len : masks_len;

  /* Bytes that end or break an unquoted field: one table load per byte in the hottest loop. */
  uint8_t special[256] = {0};
  special[delim] = special[LF] = special[CR] = special[QUOTE] = 1;

  size_t i = (size_t)state[0], cut = (size_t)state[1], pos = (size_t)state[2];
  double line = state[3];
  double records = 0, record_end_out = -1;

  while (i < n) {
    uint8_t c = chunk[i];
    if (c == LF) {
      /* A blank line: dropped from the output. */
      if (pos + (i - cut) > out_len) break;
      memcpy(out + pos, chunk + cut, i - cut);
      pos += i - cut;
      line += 1;
      cut = ++i;
      continue;
    }
    if (c == CR) {
      /* A blank CRLF line: dropped too. A lone CR (old Mac endings) is left to TypeScript. */
      if (i + 1 >= n || chunk[i + 1] != LF) break;
      if (pos + (i - cut) > out_len) break;
      memcpy(out + pos, chunk + cut, i - cut);
      pos += i - cut;
      line += 1;
      i += 2;
      cut = i;
      continue;
    }

    /* Walk the record; give up (leaving it to TypeScript) at anything unusual. */
    size_t k = i, f = 0, e = 0;
    double breaks = 0;
    int ok = 0;
    for (;;) {
      if (k >= n) break; /* the chunk ends right after a delimiter */
      if (chunk[k] == QUOTE) {
        size_t s = k + 1, q;
        int escaped = 0, closed = 0;
        for (;;) {
          const uint8_t *hit = s < n ? memchr(chunk + s, QUOTE, n - s) : NULL;
          if (!hit) break;
          q = (size_t)(hit - chunk);
          if (q + 1 >= n) break;
          for (size_t p = s; p < q; p++) {
            uint8_t b = chunk[p];
            if (b == CR) breaks += 1;
            else if (b == LF && !(p > s && chunk[p - 1] == CR)) breaks += 1;
          }
          if (chunk[q + 1] != QUOTE) {
            closed = 1;
            break;
          }
          escaped = 1;
          s = q + 2;
        }
        if (!closed) break;
        e = q + 1;
        if (q - k > max_field) break;
        if (f < wanted_n && wanted[f] == 1) {
          if (escaped) observe(masks, wanted, f, K_TEXT);
          else if (q > k + 1) observe(masks, wanted, f, classify(chunk, k + 1, q));
        }
      } else {
        e = k;
        while (e < n && !special[chunk[e]]) e++;
        if (e >= n || e - k > max_field) break;
        if (e > k && f < wanted_n && wanted[f] == 1) observe(masks, wanted, f, classify(chunk, k, e));
      }
      f++;
      uint8_t t = chunk[e];
      if (t == delim) {
        k = e + 1;
        continue;
      }
      /* LF, or CRLF whose CR is left out of the output (COPY takes one line ending per file). */
      ok = f == expected && (t == LF || (t == CR && e + 1 < n && chunk[e + 1] == LF));
      break;
    }
    if (!ok) break;
    const int crlf = chunk[e] == CR;

    /* Out: the bytes before this record, then "<line><delimiter>"; the record's own bytes
       stay pending from cut on, as in TypeScript. */
    uint64_t v = (uint64_t)line;
    size_t width = digits_of(v);
    if (pos + (i - cut) + width + 1 + (crlf ? (e - i) + 1 : 0) > out_len) break;
    memcpy(out + pos, chunk + cut, i - cut);
    pos += i - cut;
    for (size_t d = width; d > 0; d--) {
      out[pos + d - 1] = (uint8_t)('0' + v % 10);
      v /= 10;
    }
    pos += width;
    out[pos++] = delim;
    cut = i;
    records += 1;
    line += 1 + breaks;
    if (crlf) {
      /* The record's bytes and an LF now, so the CR can be skipped. */
      memcpy(out + pos, chunk + i, e - i);
      pos += e - i;
      out[pos++] = LF;
      i = e + 2;
      cut = i;
      record_end_out = (double)pos;
      continue;
    }
    i = e + 1;
    record_end_out = (double)(pos + (i - cut));
  }

  state[0] = (double)i;
  state[1] = (double)cut;
  state[2] = (double)pos;
  state[3] = line;
  state[4] = records;
  state[5] = record_end_out;
  return NULL;
}

/*
 * classify(bytes): the kind (K_*) scanRecords gives one value, 0 for an empty one (NULL). For
 * the tests, which hold it to lib/csv/classification-vectors.json; loads do not call it.
 */
static napi_value Classify(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *b;
  size_t n;
  if (argc < 1 || !get_buffer(env, argv[0], &b, &n)) {
    napi_throw_type_error(env, NULL, "classify needs a Buffer or Uint8Array");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, n == 0 ? 0 : classify(b, 0, n), &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "scanRecords", NAPI_AUTO_LENGTH, ScanRecords, NULL, &fn);
  napi_set_named_property(env, exports, "scanRecords", fn);
  napi_create_function(env, "classify", NAPI_AUTO_LENGTH, Classify, NULL, &fn);
  napi_set_named_property(env, exports, "classify", fn);
  return exports;
}
