/**
 * Checks compiled model SQL with the real PostgreSQL parser (libpg-query, WebAssembly) before it
 * goes near the database: exactly one statement, a SELECT (or WITH … SELECT), nothing that
 * writes, and none of the functions that could step outside the sandbox. The database role is
 * the real boundary; this gives users precise errors and is a second wall.
 */
export type SqlProblem = { message: string; offset?: number };

const WRITE_NODES: Record<string, string> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
};

// Functions that change the session's identity or settings, run SQL text of their own, or reach
// files, other servers or other sessions. The sandbox role cannot use most of them anyway, but
// set_config (and SQL run through query_to_xml & co., which our parser never sees) could reset
// the role the transaction runs under, and the role is only as strong as that.
const DENIED_FUNCTIONS = new Set([
  "set_config",
  "query_to_xml",
  "query_to_xmlschema",
  "query_to_xml_and_xmlschema",
  "cursor_to_xml",
  "cursor_to_xmlschema",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls_dir",
  "pg_stat_file",
  "lo_import",
  "lo_export",
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_promote",
  "pg_advisory_lock",
  "pg_advisory_xact_lock",
  "pg_notify",
  "txid_current",
]);

function describeStatement(node: Record<string, unknown>): string {
  const kind = Object.keys(node)[0] ?? "statement";
  const names: Record<string, string> = {
    CreateStmt: "CREATE TABLE",
    CreateTableAsStmt: "CREATE TABLE AS",
    ViewStmt: "CREATE VIEW",
    DropStmt: "DROP",
    AlterTableStmt: "ALTER TABLE",
    TruncateStmt: "TRUNCATE",
    GrantStmt: "GRANT",
    VariableSetStmt: "SET",
    CopyStmt: "COPY",
    DoStmt: "DO",
    CreateFunctionStmt: "CREATE FUNCTION",
    ExplainStmt: "EXPLAIN",
    TransactionStmt: "a transaction command",
    ...WRITE_NODES,
  };
  return (
    names[kind] ??
    kind
      .replace(/Stmt$/, "")
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toUpperCase()
  );
}

function findProblem(node: unknown): SqlProblem | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findProblem(item);
      if (found) return found;
    }
    return null;
  }
  if (!node || typeof node !== "object") return null;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key in WRITE_NODES) {
      const location = (value as { relation?: { location?: number } })?.relation?.location;
      return { message: `A model only reads data; ${WRITE_NODES[key]} is not allowed`, offset: location };
    }
    if (key === "FuncCall") {
      const call = value as { funcname?: { String?: { sval?: string } }[]; location?: number };
      const name = call.funcname?.at(-1)?.String?.sval?.toLowerCase();
      if (name && (DENIED_FUNCTIONS.has(name) || name.startsWith("dblink"))) {
        return { message: `The function ${name}() is not allowed in models`, offset: call.location };
      }
    }
    if (key === "intoClause" && value) return { message: "SELECT … INTO creates a table; a model is a plain SELECT" };
    if (key === "lockingClause" && value) return { message: "FOR UPDATE/SHARE locks rows; a model is a plain SELECT" };
    const found = findProblem(value);
    if (found) return found;
  }
  return null;
}

// Words that may stand before a name without a comma between them, so two in a row prove nothing.
const NOT_A_COLUMN = new Set(
  "select distinct from where as and or not by on join left right inner outer full cross using group order having limit offset with union all case when then else end is null in like between over partition".split(
    " ",
  ),
);
const NAME = String.raw`(?:[A-Za-z_][\w$]*|"[^"]+")`;
const TWO_NAMES = new RegExp(String.raw`(${NAME})\s+(${NAME})\s*$`);

/**
 * `select a b c` fails at "c": "a b" was read as the column a named b. When two plain names stand
 * right before the error, the likely cause is a missing comma, and saying so beats "near c".
 */
export function missingCommaHint(message: string, sql: string, offset: number): string {
  const pair = /^syntax error at or near/i.test(message) ? TWO_NAMES.exec(sql.slice(0, offset)) : null;
  if (!pair) return "";
  const [first, second] = [pair[1]!, pair[2]!];
  if (NOT_A_COLUMN.has(first.toLowerCase()) || NOT_A_COLUMN.has(second.toLowerCase())) return "";
  return `; is a comma missing? "${first} ${second}" reads as the column ${first} renamed to ${second}`;
}

export async function validateModelSql(sql: string): Promise<SqlProblem | null> {
  let tree: { stmts?: { stmt: Record<string, unknown>; stmt_location?: number }[] };
  try {
    // Loaded on first use: the parser's WebAssembly costs ~12 MiB in every process that imports it.
    const { parse } = await import("libpg-query");
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number; message?: string } }).sqlDetails;
    const message = (details?.message ?? (err as Error).message).replace(/^syntax error/, "Syntax error");
    const offset = details?.cursorPosition;
    return { message: `${message}${offset === undefined ? "" : missingCommaHint(message, sql, offset)}`, offset };
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) return { message: "The model has no SQL; write one SELECT statement" };
  if (statements.length > 1) {
    return {
      message: `A model is one SELECT statement; this has ${statements.length} statements`,
      offset: statements[1]!.stmt_location,
    };
  }
  const stmt = statements[0]!.stmt;
  if (!("SelectStmt" in stmt)) {
    return {
      message: `A model must be a SELECT (or WITH … SELECT); found ${describeStatement(stmt)}`,
      offset: statements[0]!.stmt_location ?? 0,
    };
  }
  return findProblem(stmt);
}
