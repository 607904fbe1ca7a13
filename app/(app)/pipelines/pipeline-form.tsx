"use client";

import { startTransition, useActionState, useEffect, useRef, useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { PlusIcon, SaveIcon } from "lucide-react";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/action-result";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { describedBy, FieldErrors, FormError } from "@/components/form-messages";
import { TextField } from "@/components/text-field";
import { NativeSelect } from "@/components/pipelines/native-select";
import { savePipelineAction, type SavedPipeline } from "./actions";
import { DeliveryFields, type DeliveryErrors } from "./delivery-fields";
import { draftToInput, newDelivery, type DeliveryDraft, type PipelineDraft, type PipelineFormOptions } from "./form-types";
import { ScheduleFields } from "./schedule-fields";

const MAX_DELIVERIES = 20;

type State = ActionResult<SavedPipeline> & { attempt: number };
const initialState: State = { ok: false, attempt: 0 };

/** The errors under "deliveries.N.", keyed by the rest of the path. */
function deliveryErrors(fieldErrors: Record<string, string[]> | undefined, index: number): DeliveryErrors {
  const prefix = `deliveries.${index}.`;
  const out: DeliveryErrors = {};
  for (const [key, messages] of Object.entries(fieldErrors ?? {})) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = messages;
  }
  return out;
}

/** The alert on top announces the failure; a message already shown beside its field is not repeated there. */
function topMessage(formError: string | undefined, fieldErrors: Record<string, string[]> | undefined): string | undefined {
  if (!formError) return undefined;
  const besideFields = Object.values(fieldErrors ?? {}).flat();
  return besideFields.includes(formError) ? "Please correct the highlighted fields." : formError;
}

/** The pipeline form, for a new pipeline and for editing one (whose dataset cannot change). */
export function PipelineForm({
  pipelineId,
  initial,
  options,
}: {
  /** null: a new pipeline. */
  pipelineId: string | null;
  initial: PipelineDraft;
  options: PipelineFormOptions;
}) {
  const router = useRouter();
  const editing = pipelineId !== null;
  const [draft, setDraft] = useState(initial);
  const nextKey = useRef(0);
  const errorRef = useRef<HTMLDivElement>(null);
  const [state, formAction, pending] = useActionState(
    async (prev: State, input: PipelineDraft): Promise<State> => ({
      ...(await savePipelineAction({ id: pipelineId, input: draftToInput(input) })),
      attempt: prev.attempt + 1,
    }),
    initialState,
  );

  useEffect(() => {
    if (state.attempt === 0) return;
    if (state.ok) {
      if (state.data.created) {
        // The toaster lives in the root layout, so the message survives the navigation.
        toast.success(`Created ${state.data.name}`, { description: "Run it now, or let its schedule start it." });
        router.push(`/pipelines/${state.data.id}`);
      } else {
        toast.success(`Saved ${state.data.name}`);
        router.refresh();
      }
    } else {
      errorRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }, [state, router]);

  const set = (patch: Partial<PipelineDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setDelivery = (key: string, patch: Partial<DeliveryDraft>) =>
    setDraft((d) => ({ ...d, deliveries: d.deliveries.map((x) => (x.key === key ? { ...x, ...patch } : x)) }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    startTransition(() => formAction(draft));
  };

  const fieldErrors = state.ok ? undefined : state.fieldErrors;
  const formError = state.ok || state.attempt === 0 ? undefined : topMessage(state.formError, fieldErrors);
  const dataset = options.datasets.find((d) => d.id === draft.datasetId);

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-8" aria-label={editing ? "Edit pipeline" : "New pipeline"}>
      <div ref={errorRef}>
        <FormError message={formError} className="whitespace-normal" />
      </div>

      <div className="grid gap-4 md:grid-cols-2">
        <TextField
          id="pipeline-name"
          name="name"
          label="Name"
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          maxLength={80}
          autoComplete="off"
          required
          errors={fieldErrors?.name}
        />
        <div className="flex flex-col gap-2">
          <Label htmlFor="pipeline-dataset">Dataset</Label>
          <NativeSelect
            id="pipeline-dataset"
            value={draft.datasetId}
            onChange={(e) => set({ datasetId: e.target.value })}
            disabled={editing}
            required
            aria-invalid={fieldErrors?.datasetId?.length ? true : undefined}
            aria-describedby={describedBy(fieldErrors?.datasetId?.length ? "pipeline-dataset-error" : undefined, "pipeline-dataset-hint")}
          >
            {editing ? null : <option value="">Choose a dataset…</option>}
            {options.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </NativeSelect>
          <p id="pipeline-dataset-hint" className="text-muted-foreground text-xs">
            {editing
              ? "A pipeline keeps its dataset; make a new pipeline for another one."
              : "Each run fetches this dataset's source, loads it, then builds the models below."}
          </p>
          <FieldErrors id="pipeline-dataset-error" errors={fieldErrors?.datasetId} />
        </div>
      </div>

      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 text-base font-semibold">Models to build</legend>
        <div className="flex flex-col gap-2">
          <div className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              id="models-downstream"
              name="models-mode"
              className="accent-primary mt-0.5 size-4"
              checked={draft.modelsMode === "downstream"}
              onChange={() => set({ modelsMode: "downstream" })}
              aria-describedby="models-downstream-hint"
            />
            <div className="flex flex-col">
              <label htmlFor="models-downstream">Everything downstream</label>
              <span id="models-downstream-hint" className="text-muted-foreground text-xs">
                Every model that reads {dataset ? <span className="font-mono">{dataset.name}</span> : "the chosen source"}, directly or
                through other models, found at run time.
              </span>
            </div>
          </div>
          <div className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              id="models-chosen"
              name="models-mode"
              className="accent-primary mt-0.5 size-4"
              checked={draft.modelsMode === "chosen"}
              onChange={() => set({ modelsMode: "chosen" })}
            />
            <label htmlFor="models-chosen">Only the models I choose</label>
          </div>
        </div>
        {draft.modelsMode === "chosen" ? (
          options.models.length === 0 ? (
            <p className="text-muted-foreground text-sm">There are no models yet; with none chosen, a run only loads the dataset.</p>
          ) : (
            <div className="flex flex-col gap-2">
              <p id="pipeline-models-hint" className="text-muted-foreground text-xs">
                {draft.models.length ? `${draft.models.length} chosen.` : "None chosen: a run only loads the dataset."}
              </p>
              <ul
                className="grid max-h-64 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2"
                aria-describedby="pipeline-models-hint"
              >
                {options.models.map((m, i) => (
                  <li key={m.name} className="flex min-w-0 items-start gap-2">
                    <Checkbox
                      id={`pipeline-model-${i}`}
                      checked={draft.models.includes(m.name)}
                      onCheckedChange={(checked) =>
                        set({ models: checked === true ? [...draft.models, m.name] : draft.models.filter((n) => n !== m.name) })
                      }
                      className="mt-0.5"
                    />
                    <Label htmlFor={`pipeline-model-${i}`} className="flex min-w-0 flex-col items-start gap-0.5 font-normal">
                      <span className="font-mono text-xs break-all">{m.name}</span>
                      {m.description ? <span className="text-muted-foreground line-clamp-2 text-xs">{m.description}</span> : null}
                    </Label>
                  </li>
                ))}
              </ul>
            </div>
          )
        ) : null}
        <FieldErrors id="pipeline-models-error" errors={fieldErrors?.models} />
      </fieldset>

      <fieldset className="flex flex-col gap-4">
        <legend className="mb-1 text-base font-semibold">Messages</legend>
        <p className="text-muted-foreground -mt-2 text-sm">
          Sent to Slack at the end of a successful run, in this order.
          {draft.deliveries.length === 0 ? " With none, runs load and build without posting anything." : ""}
        </p>
        {draft.deliveries.map((d, i) => (
          <DeliveryFields
            key={d.key}
            index={i}
            value={d}
            options={options}
            errors={deliveryErrors(fieldErrors, i)}
            onChange={(patch) => setDelivery(d.key, patch)}
            onRemove={() => setDraft((x) => ({ ...x, deliveries: x.deliveries.filter((y) => y.key !== d.key) }))}
            preview={{ pipelineId, datasetId: draft.datasetId, pipelineName: draft.name, timeZone: draft.scheduleTimezone || "UTC" }}
          />
        ))}
        <Button
          type="button"
          variant="outline"
          className="self-start"
          disabled={draft.deliveries.length >= MAX_DELIVERIES}
          onClick={() => setDraft((x) => ({ ...x, deliveries: [...x.deliveries, newDelivery(`added-${++nextKey.current}`)] }))}
        >
          <PlusIcon aria-hidden="true" />
          Add a message
        </Button>
      </fieldset>

      <fieldset className="flex flex-col gap-4">
        <legend className="mb-1 text-base font-semibold">When something goes wrong</legend>
        <div className="flex flex-col gap-2 md:max-w-md">
          <Label htmlFor="pipeline-failure-alert">Failure alert to</Label>
          <NativeSelect
            id="pipeline-failure-alert"
            value={draft.failureAlertDestinationId}
            onChange={(e) => set({ failureAlertDestinationId: e.target.value })}
            aria-invalid={fieldErrors?.failureAlertDestinationId?.length ? true : undefined}
            aria-describedby={describedBy(
              fieldErrors?.failureAlertDestinationId?.length ? "pipeline-failure-alert-error" : undefined,
              "pipeline-failure-alert-hint",
            )}
          >
            <option value="">No failure alert</option>
            {options.destinations.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </NativeSelect>
          <p id="pipeline-failure-alert-hint" className="text-muted-foreground text-xs">
            A failed run posts the failing step and its error here, with a link to the run.
          </p>
          <FieldErrors id="pipeline-failure-alert-error" errors={fieldErrors?.failureAlertDestinationId} />
        </div>
        <CheckboxField
          id="pipeline-stop-on-test-failure"
          label="Treat test warnings as failures"
          hint="A failing test of severity error always fails the run before any message is sent. With this on, a warn test that warns does too; otherwise the messages go out and the run ends succeeded with warnings."
          checked={draft.stopOnTestFailure}
          onChange={(stopOnTestFailure) => set({ stopOnTestFailure })}
        />
      </fieldset>

      <ScheduleFields
        cron={draft.scheduleCron}
        timezone={draft.scheduleTimezone}
        onChange={(next) =>
          set({
            ...(next.cron !== undefined ? { scheduleCron: next.cron } : {}),
            ...(next.timezone !== undefined ? { scheduleTimezone: next.timezone } : {}),
          })
        }
        errors={{ cron: fieldErrors?.scheduleCron, timezone: fieldErrors?.scheduleTimezone }}
      />

      <CheckboxField
        id="pipeline-paused"
        label="Paused"
        hint="A paused pipeline skips its schedule; it can still be run by hand."
        checked={draft.paused}
        onChange={(paused) => set({ paused })}
      />

      <div className="flex flex-wrap items-center gap-3 border-t pt-6">
        <Button type="submit" disabled={pending}>
          {editing ? <SaveIcon aria-hidden="true" /> : <PlusIcon aria-hidden="true" />}
          {pending ? "Saving…" : editing ? "Save changes" : "Create pipeline"}
        </Button>
        {editing ? (
          <Button type="button" variant="ghost" disabled={pending} onClick={() => setDraft(initial)}>
            Discard changes
          </Button>
        ) : null}
      </div>
    </form>
  );
}

function CheckboxField({
  id,
  label,
  hint,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="flex items-start gap-3">
      <Checkbox
        id={id}
        checked={checked}
        onCheckedChange={(c) => onChange(c === true)}
        aria-describedby={`${id}-hint`}
        className="mt-0.5"
      />
      <div className="flex flex-col gap-1">
        <Label htmlFor={id}>{label}</Label>
        <p id={`${id}-hint`} className="text-muted-foreground text-xs">
          {hint}
        </p>
      </div>
    </div>
  );
}
