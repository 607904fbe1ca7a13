import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { ArrowRightIcon, ShieldAlertIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getSampleDataState } from "@/lib/onboarding/sample-data";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { DashboardRuns, DashboardRunsSkeleton } from "./dashboard-runs";
import { StaleDatasets } from "./stale-datasets";
import { SampleDataOffer, SampleNextSteps } from "./onboarding/sample-data-panel";
import { ServiceStatusLine, ServiceStatusLineSkeleton } from "./status/status-line";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STEPS = [
  { href: "/datasets", title: "Register a dataset", text: "Point Relayboard at a CSV URL or upload a file; it is loaded into Postgres." },
  {
    href: "/destinations",
    title: "Add a Slack destination",
    text: "Store the incoming webhook of the channel that should get the messages.",
  },
  { href: "/pipelines", title: "Run a pipeline", text: "Tie a dataset or model to a destination and send the first message." },
];

export default async function DashboardPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const canEdit = roleAtLeast(user.role, "editor");
  // Viewers get no onboarding: every card of it invites them to create what they may not. When the
  // database is down the status line says so, and the sample panel just steps aside.
  const [params, sample] = await Promise.all([searchParams, canEdit ? getSampleDataState().catch(() => null) : null]);
  const forbidden = params.forbidden === "1";
  const sampleInProgress = sample?.kind === "loaded" && !(sample.hasRealWebhook && sample.scheduled);

  return (
    <>
      {forbidden ? (
        <Alert role="status">
          <ShieldAlertIcon aria-hidden="true" />
          <AlertTitle>You don&apos;t have access to that page</AlertTitle>
          <AlertDescription>Your role is {user.role}. Ask an admin if you need more access.</AlertDescription>
        </Alert>
      ) : null}

      <PageHeader
        title="Dashboard"
        description="Recent runs and failures, stale datasets and what runs next."
        actions={
          <Suspense fallback={<ServiceStatusLineSkeleton />}>
            <ServiceStatusLine />
          </Suspense>
        }
      />

      {sample?.kind === "offer" ? <SampleDataOffer canEdit={canEdit} /> : null}

      <Suspense fallback={<DashboardRunsSkeleton />}>
        <DashboardRuns canEdit={canEdit}>
          <Suspense fallback={null}>
            <StaleDatasets />
          </Suspense>
          {sample?.kind === "loaded" && sampleInProgress ? <SampleNextSteps state={sample} /> : null}
        </DashboardRuns>
      </Suspense>

      {!canEdit || sampleInProgress ? null : (
        <section aria-labelledby="getting-started-heading" className="flex flex-col gap-4" data-testid="getting-started">
          <h2 id="getting-started-heading" className="text-lg font-semibold">
            {sample?.kind === "offer" ? "Or set it up yourself" : "Getting started"}
          </h2>
          <ol className="grid gap-4 md:grid-cols-3">
            {STEPS.map((step, i) => (
              <li key={step.href}>
                <Card className="h-full gap-4">
                  <CardHeader>
                    <CardDescription>Step {i + 1}</CardDescription>
                    <CardTitle>
                      <h3>{step.title}</h3>
                    </CardTitle>
                  </CardHeader>
                  <CardContent className="flex flex-1 flex-col justify-between gap-4">
                    <p className="text-muted-foreground text-sm">{step.text}</p>
                    <Button asChild variant="outline" size="sm" className="self-start">
                      <Link href={step.href}>
                        {step.title}
                        <ArrowRightIcon aria-hidden="true" />
                      </Link>
                    </Button>
                  </CardContent>
                </Card>
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
