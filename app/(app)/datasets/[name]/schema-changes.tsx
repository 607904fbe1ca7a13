import { Fragment, type ReactNode } from "react";
import type { SchemaChanges } from "@/db/schema/datasets";
import { describeSchemaChanges, hasSchemaChanges } from "@/lib/ingest/schema-changes";

/**
 * One version's schema changes, short: "+ region (text) · − day (date) · amount bigint → numeric ·
 * name → customer? (100 % equal)". The signs are read out as words; the title has the long form.
 * Null (a first version, or one stored before changes were recorded) is a dash.
 */
export function SchemaChangesText({ changes }: { changes: SchemaChanges | null }) {
  if (!changes) return <span className="text-muted-foreground">—</span>;
  const renamed = changes.renamed ?? [];
  if (!hasSchemaChanges(changes) && renamed.length === 0) return <span className="text-muted-foreground">No changes</span>;
  const parts: ReactNode[] = [
    ...changes.added.map((c) => (
      <span key={`a:${c.name}`} className="text-emerald-800 dark:text-emerald-300">
        <Sign sign="+" words="added" />
        <Name>{c.name}</Name> ({c.type})
      </span>
    )),
    ...changes.removed.map((c) => (
      <span key={`r:${c.name}`} className="text-destructive">
        <Sign sign="−" words="removed" />
        <Name>{c.name}</Name> ({c.type})
      </span>
    )),
    ...changes.retyped.map((c) => (
      <span key={`t:${c.name}`}>
        <Name>{c.name}</Name> {c.from} <Arrow words="changed to" /> {c.to}
      </span>
    )),
    ...renamed.map((r) => (
      <span key={`n:${r.from}:${r.to}`}>
        <Name>{r.from}</Name> <Arrow words="renamed to" /> <Name>{r.to}</Name>?{" "}
        <span className="text-muted-foreground">({Math.round(r.similarity * 100)} % equal)</span>
      </span>
    )),
  ];
  return (
    <span title={describeSchemaChanges({ ...changes, renamed })}>
      {parts.map((part, i) => (
        // Each change stays on one line; lines break between them.
        <Fragment key={i}>
          {i > 0 ? (
            <>
              <span aria-hidden="true" className="text-muted-foreground">
                {" · "}
              </span>
              <span className="sr-only">; </span>
            </>
          ) : null}
          <span className="whitespace-nowrap">{part}</span>
        </Fragment>
      ))}
    </span>
  );
}

function Sign({ sign, words }: { sign: string; words: string }) {
  return (
    <>
      <span aria-hidden="true">{sign} </span>
      <span className="sr-only">{words} </span>
    </>
  );
}

function Arrow({ words }: { words: string }) {
  return (
    <>
      <span aria-hidden="true">→</span>
      <span className="sr-only">{words}</span>
    </>
  );
}

function Name({ children }: { children: ReactNode }) {
  return <span className="font-mono text-xs">{children}</span>;
}
