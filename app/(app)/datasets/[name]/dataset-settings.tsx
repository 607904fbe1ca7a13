"use client";

import { startTransition, useActionState, useState, type FormEvent, type ReactNode } from "react";
import { CircleCheckIcon } from "lucide-react";
import type { ActionResult } from "@/lib/action-result";
import type { ColumnType, FreshnessConfig, SchemaPolicy } from "@/db/schema/datasets";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { updateDatasetSettingsAction, type SavedSettings } from "./actions";

type State = ActionResult<SavedSettings> & { attempt: number };
const initialState: State = { ok: false, attempt: 0 };

const POLICIES: { value: SchemaPolicy; label: string; hint: string }[] = [
  {
    value: "evolve",
    label: "Evolve",
    hint: "Evolve: a file's new columns are added; columns it no longer has go with a replace load.",
  },
  {
    value: "freeze",
    label: "Freeze",
    hint: "Freeze: a file that adds or drops a column fails its load, and the previous table is kept.",
  },
];

const SHOWN_BESIDE_FIELDS = ["freshness.warnAfter", "freshness.errorAfter", "freshness", "schemaPolicy"];

/** The alert on top: what is not already said beside a field (a generic line when all of it is). */
function topMessage(formError: string | undefined, fieldErrors: Record<string, string[]> | undefined): string | undefined {
  const elsewhere = Object.entries(fieldErrors ?? {})
    .filter(([key]) => !SHOWN_BESIDE_FIELDS.includes(key))
    .flatMap(([, messages]) => messages);
  if (elsewhere.length) return elsewhere.join(" ");
  return formError;
}

const FRESHNESS_HINT =
  "ISO-8601 durations since the file's content last changed: PT6H is 6 hours, P1D one day, P1DT12H a day and a half. " +
  "Leave both empty to turn the check off.";

/**
 * The dataset's freshness thresholds and schema policy. Editors get a form (saved without a load:
 * the thresholds apply at once, the policy from the next file); viewers see the values.
 */
export function DatasetSettings({
  datasetId,
  freshness,
  schemaPolicy,
  typeLocks,
  canEdit,
}: {
  datasetId: string;
  freshness: FreshnessConfig | null;
  schemaPolicy: SchemaPolicy;
  typeLocks: Record<string, ColumnType>;
  canEdit: boolean;
}) {
  const locks = Object.entries(typeLocks);
  if (!canEdit) {
    return (
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-3" data-testid="dataset-settings">
        <Fact term="Warn after">{freshness?.warnAfter || "—"}</Fact>
        <Fact term="Error after">{freshness?.errorAfter || "—"}</Fact>
        <Fact term="Schema policy">{POLICIES.find((p) => p.value === schemaPolicy)?.hint ?? schemaPolicy}</Fact>
        {locks.length ? <TypeLocks locks={locks} /> : null}
      </dl>
    );
  }
  return <SettingsForm datasetId={datasetId} freshness={freshness} schemaPolicy={schemaPolicy} locks={locks} />;
}

function SettingsForm({
  datasetId,
  freshness,
  schemaPolicy,
  locks,
}: {
  datasetId: string;
  freshness: FreshnessConfig | null;
  schemaPolicy: SchemaPolicy;
  locks: [string, ColumnType][];
}) {
  const [policy, setPolicy] = useState<SchemaPolicy>(schemaPolicy);
  const [state, formAction, pending] = useActionState(
    async (prev: State, form: FormData): Promise<State> => ({
      ...(await updateDatasetSettingsAction({ ok: false }, form)),
      attempt: prev.attempt + 1,
    }),
    initialState,
  );

  // Submitting by hand keeps what was typed when the server refuses it.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => formAction(form));
  };

  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const formError = state.ok ? undefined : topMessage(state.formError, fieldErrors);
  const policyHint = POLICIES.find((p) => p.value === policy)?.hint;
  const policyErrors = fieldErrors?.schemaPolicy;

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-label="Dataset settings" data-testid="dataset-settings">
      <input type="hidden" name="datasetId" value={datasetId} />
      <FormError message={formError} />
      <fieldset className="flex flex-col gap-3" aria-describedby="ds-freshness-hint">
        <legend className="mb-1 text-sm font-medium">Freshness</legend>
        <p id="ds-freshness-hint" className="text-muted-foreground text-xs">
          {FRESHNESS_HINT} The worker checks once a minute and posts to the dataset&apos;s alert destination when the state changes.
        </p>
        <div className="grid gap-4 md:grid-cols-2">
          <TextField
            id="ds-warnAfter"
            name="warnAfter"
            label="Warn after"
            defaultValue={freshness?.warnAfter ?? ""}
            placeholder="PT6H"
            autoComplete="off"
            spellCheck={false}
            disabled={pending}
            hint="Getting stale once unchanged for longer than this."
            errors={fieldErrors?.["freshness.warnAfter"]}
          />
          <TextField
            id="ds-errorAfter"
            name="errorAfter"
            label="Error after"
            defaultValue={freshness?.errorAfter ?? ""}
            placeholder="P1D"
            autoComplete="off"
            spellCheck={false}
            disabled={pending}
            hint="Stale once unchanged for longer than this."
            errors={fieldErrors?.["freshness.errorAfter"]}
          />
        </div>
        <FieldErrors id="ds-freshness-error" errors={fieldErrors?.freshness} />
      </fieldset>

      <div className="flex flex-col gap-2 md:max-w-md">
        <Label htmlFor="ds-schemaPolicy">Schema policy</Label>
        <select
          id="ds-schemaPolicy"
          name="schemaPolicy"
          value={policy}
          onChange={(e) => setPolicy(e.target.value as SchemaPolicy)}
          disabled={pending}
          aria-invalid={policyErrors?.length ? true : undefined}
          aria-describedby={describedBy("ds-schemaPolicy-hint", Boolean(policyErrors?.length) && "ds-schemaPolicy-error")}
          className="border-input bg-background focus-visible:ring-ring/50 aria-invalid:border-destructive h-9 rounded-md border px-3 text-sm shadow-xs outline-none focus-visible:ring-[3px] disabled:opacity-50"
        >
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <p id="ds-schemaPolicy-hint" className="text-muted-foreground text-xs">
          {policyHint}
        </p>
        <FieldErrors id="ds-schemaPolicy-error" errors={policyErrors} />
      </div>

      {locks.length ? (
        <dl className="text-sm">
          <TypeLocks locks={locks} />
        </dl>
      ) : null}

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save settings"}
        </Button>
        <p role="status" aria-live="polite" className="text-sm">
          {state.ok && !pending ? (
            <span className="flex items-center gap-1.5 text-emerald-700 dark:text-emerald-400" data-testid="dataset-settings-saved">
              <CircleCheckIcon className="size-4" aria-hidden="true" />
              Settings saved.
            </span>
          ) : null}
        </p>
      </div>
    </form>
  );
}

function TypeLocks({ locks }: { locks: [string, ColumnType][] }) {
  return (
    <Fact term="Type locks (set through the API)">
      {locks.map(([column, type], i) => (
        <span key={column}>
          {i > 0 ? ", " : null}
          <span className="font-mono text-xs">{column}</span> {type}
        </span>
      ))}
    </Fact>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-muted-foreground text-xs">{term}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}
