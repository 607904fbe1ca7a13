import Link from "next/link";
import type { ReactNode } from "react";
import { ArrowRightIcon, CircleCheckIcon, CircleIcon, PackageOpenIcon } from "lucide-react";
import { SAMPLE_MODEL, type SampleDataState } from "@/lib/onboarding/sample-data";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { runDisplayStatus, RunStatusBadge } from "@/components/pipelines/run-status";
import { cn } from "@/lib/utils";
import { SampleDataButton } from "./sample-data-button";

/** The dashboard's offer on an empty install. */
export function SampleDataOffer({ canEdit }: { canEdit: boolean }) {
  return (
    <Card data-testid="sample-data-offer" className="border-primary/30 gap-4">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <PackageOpenIcon className="text-primary size-5" aria-hidden="true" />
          <h2>New here? Try it with sample data</h2>
        </CardTitle>
        <CardDescription className="max-w-3xl">
          One click loads 4,000 shop orders into Postgres, adds a model of weekly revenue by region, and sends its summary to a sample Slack
          channel that lives inside Relayboard: you see exactly what your channel would get, and nothing leaves this server. Everything it
          creates is ordinary and yours to change or delete.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {canEdit ? (
          <SampleDataButton />
        ) : (
          <p className="text-muted-foreground text-sm">An editor or admin can load the sample data, or register the first dataset.</p>
        )}
      </CardContent>
    </Card>
  );
}

type Loaded = Extract<SampleDataState, { kind: "loaded" }>;

/** After the sample: what it did, and the steps from there to a real setup (ticked off as they are done). */
export function SampleNextSteps({ state }: { state: Loaded }) {
  const channelHref = state.destinationId ? `/destinations/${state.destinationId}` : "/destinations";
  return (
    <Card data-testid="sample-next-steps" className="gap-4">
      <CardHeader>
        <CardTitle>
          <h2>Next steps with the sample</h2>
        </CardTitle>
        <CardDescription>
          The sample loaded <code className="font-mono">{state.datasetName}</code>
          {state.modelName ? (
            <>
              , built <code className="font-mono">{state.modelName}</code>
            </>
          ) : null}{" "}
          and sent its summary to the Sample channel. From here to a pipeline of your own:
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ol className="flex flex-col divide-y">
          <Step
            done={state.latestRun?.status === "succeeded"}
            title="See it run"
            text="The run page shows each step: load, model build, data tests and the message."
            extra={state.latestRun ? <RunStatusBadge status={runDisplayStatus(state.latestRun)} /> : null}
          >
            {state.latestRun ? <StepLink href={`/runs/${state.latestRun.id}`}>Open the run</StepLink> : null}
            {state.destinationId ? <StepLink href={channelHref}>Open the Sample channel</StepLink> : null}
          </Step>
          <Step
            done={state.hasRealWebhook}
            title="Connect a real Slack channel"
            text="Create an incoming webhook in Slack, then give the Sample channel its URL (Edit), or add it as a new destination and choose it in the pipeline."
          >
            <StepLink href={state.destinationId ? channelHref : "/destinations#add-destination"}>Add a Slack webhook</StepLink>
          </Step>
          <Step
            done={state.scheduled}
            title="Schedule the pipeline"
            text="Let the pipeline run on its own, say every weekday at 8:00, with a cron schedule."
          >
            {state.pipelineId ? <StepLink href={`/pipelines/${state.pipelineId}#edit`}>Set a schedule</StepLink> : null}
          </Step>
          <Step done={false} title="Make it yours" text="Change the model's SQL and see the lineage, or register a CSV of your own.">
            <StepLink href={`/models/${state.modelName ?? SAMPLE_MODEL}`}>Edit the model</StepLink>
            <StepLink href="/datasets/new">Register a dataset</StepLink>
          </Step>
        </ol>
      </CardContent>
    </Card>
  );
}

function Step({
  done,
  title,
  text,
  extra,
  children,
}: {
  done: boolean;
  title: string;
  text: string;
  extra?: ReactNode;
  children?: ReactNode;
}) {
  const Icon = done ? CircleCheckIcon : CircleIcon;
  return (
    <li
      className="flex flex-col gap-3 py-3 first:pt-0 last:pb-0 sm:flex-row sm:items-center sm:justify-between"
      data-testid="sample-step"
      data-done={done}
    >
      <div className="flex min-w-0 gap-3">
        <Icon
          className={cn("mt-0.5 size-5 shrink-0", done ? "text-emerald-700 dark:text-emerald-400" : "text-muted-foreground")}
          aria-hidden="true"
        />
        <div className="flex min-w-0 flex-col gap-0.5">
          <h3 className="flex flex-wrap items-center gap-2 text-sm font-medium">
            {title}
            {done ? <span className="sr-only">(done)</span> : null}
            {extra}
          </h3>
          <p className="text-muted-foreground text-sm">{text}</p>
        </div>
      </div>
      {children ? <div className="flex shrink-0 flex-wrap gap-2 pl-8 sm:pl-0">{children}</div> : null}
    </li>
  );
}

function StepLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Button asChild variant="outline" size="sm">
      <Link href={href}>
        {children}
        <ArrowRightIcon aria-hidden="true" />
      </Link>
    </Button>
  );
}
