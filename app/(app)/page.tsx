import type { Metadata } from "next";
import Link from "next/link";
import { Suspense, type ReactNode } from "react";
import {
  ArrowRightIcon,
  CircleAlertIcon,
  CircleCheckIcon,
  CpuIcon,
  DatabaseIcon,
  HardDriveIcon,
  ListOrderedIcon,
  ShieldAlertIcon,
  TimerIcon,
  TriangleAlertIcon,
  type LucideIcon,
} from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { getServiceStatus, type CheckName } from "@/lib/health";
import { getSampleDataState } from "@/lib/onboarding/sample-data";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/page-header";
import { CheckQueueButton } from "./check-queue-button";
import { DashboardRuns, DashboardRunsSkeleton } from "./dashboard-runs";
import { StaleDatasets } from "./stale-datasets";
import { SampleDataOffer, SampleNextSteps } from "./onboarding/sample-data-panel";
import { formatDateTime, formatDuration, formatRelativeTime } from "@/lib/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dashboard" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const CHECKS: Array<{ name: CheckName; label: string; icon: LucideIcon; what: string }> = [
  { name: "database", label: "Database", icon: DatabaseIcon, what: "Postgres holds the app's data, staging and warehouse." },
  { name: "storage", label: "Storage", icon: HardDriveIcon, what: "Raw CSV files, one object per version." },
  { name: "queue", label: "Queue", icon: ListOrderedIcon, what: "pg-boss hands jobs to the workers." },
];

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
  // The status cards say when the database is down; the sample panel then just steps aside.
  const [status, params, sample] = await Promise.all([getServiceStatus(), searchParams, getSampleDataState().catch(() => null)]);
  const forbidden = params.forbidden === "1";
  const canRunProbe = roleAtLeast(user.role, "editor");
  const sampleInProgress = sample?.kind === "loaded" && !(sample.hasRealWebhook && sample.scheduled);
  const now = new Date();

  return (
    <>
      {forbidden ? (
        <Alert role="status">
          <ShieldAlertIcon aria-hidden="true" />
          <AlertTitle>You don&apos;t have access to that page</AlertTitle>
          <AlertDescription>Your role is {user.role}. Ask an admin if you need more access.</AlertDescription>
        </Alert>
      ) : null}

      <PageHeader title="Dashboard" description={`Service status for Relayboard ${status.version}, recent runs, and where to start.`} />

      {sample?.kind === "offer" ? <SampleDataOffer canEdit={canRunProbe} /> : null}
      {sample?.kind === "loaded" && sampleInProgress ? <SampleNextSteps state={sample} /> : null}

      <section aria-labelledby="status-heading" className="flex flex-col gap-4">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <h2 id="status-heading" className="text-lg font-semibold">
            Service status
          </h2>
          <CheckQueueButton canRun={canRunProbe} />
        </div>

        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {CHECKS.map(({ name, label, icon, what }) => {
            const value = status.checks[name];
            return (
              <StatusCard key={name} testId={`service-${name}`} icon={icon} title={label} description={what}>
                <StatusLine ok={value === "ok"} text={value === "ok" ? "Operational" : `Unavailable: ${value}`} />
              </StatusCard>
            );
          })}

          <StatusCard
            testId="workers-online"
            icon={CpuIcon}
            title="Workers online"
            description="Processes that run ingest, transform and delivery jobs."
          >
            {status.workersOnline === null ? (
              <StatusLine ok={false} text="Unknown while the database is unavailable" />
            ) : (
              <p className="text-2xl font-semibold tabular-nums">{status.workersOnline}</p>
            )}
          </StatusCard>

          <StatusCard icon={TimerIcon} title="Last queue round-trip" description="A probe sent through the queue and stamped by a worker.">
            {status.lastQueueRoundTrip ? (
              <p className="flex flex-col gap-0.5">
                <span className="text-2xl font-semibold tabular-nums">
                  {formatDuration(Math.max(0, status.lastQueueRoundTrip.latencyMs))}
                </span>
                <time
                  dateTime={status.lastQueueRoundTrip.at.toISOString()}
                  title={formatDateTime(status.lastQueueRoundTrip.at)}
                  className="text-muted-foreground text-sm"
                >
                  {formatRelativeTime(status.lastQueueRoundTrip.at, now)}
                </time>
              </p>
            ) : (
              <p className="text-muted-foreground text-sm">No probe has completed yet.</p>
            )}
          </StatusCard>
        </div>

        {status.databaseRoleWarning && roleAtLeast(user.role, "admin") ? (
          <Alert
            data-testid="database-role-warning"
            className="border-amber-500/50 text-amber-900 dark:text-amber-200 bg-amber-50 dark:bg-amber-950/30"
          >
            <TriangleAlertIcon aria-hidden="true" />
            <AlertTitle>The database login is a superuser</AlertTitle>
            <AlertDescription className="text-amber-900/90 dark:text-amber-200/90">
              <p>{status.databaseRoleWarning}</p>
            </AlertDescription>
          </Alert>
        ) : null}

        {status.workersOnline === 0 ? (
          <Alert className="border-amber-500/50 text-amber-900 dark:text-amber-200 bg-amber-50 dark:bg-amber-950/30">
            <TriangleAlertIcon aria-hidden="true" />
            <AlertTitle>No worker is running</AlertTitle>
            <AlertDescription className="text-amber-900/90 dark:text-amber-200/90">
              <p>
                Jobs will not run: datasets are not loaded and no messages are sent until a worker starts. Start one with{" "}
                <code className="bg-background/60 rounded px-1 py-0.5 font-mono text-xs">npm run worker</code>.
              </p>
            </AlertDescription>
          </Alert>
        ) : null}
      </section>

      <Suspense fallback={null}>
        <StaleDatasets />
      </Suspense>

      <Suspense fallback={<DashboardRunsSkeleton />}>
        <DashboardRuns />
      </Suspense>

      {sampleInProgress ? null : (
        <section aria-labelledby="getting-started-heading" className="flex flex-col gap-4">
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

function StatusCard({
  testId,
  icon: Icon,
  title,
  description,
  children,
}: {
  testId?: string;
  icon: LucideIcon;
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <Card data-testid={testId} className="gap-3">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Icon className="text-muted-foreground size-4" aria-hidden="true" />
          <h3>{title}</h3>
        </CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function StatusLine({ ok, text }: { ok: boolean; text: string }) {
  const Icon = ok ? CircleCheckIcon : CircleAlertIcon;
  return (
    <p
      className={
        ok
          ? "flex items-center gap-2 text-sm font-medium text-emerald-700 dark:text-emerald-400"
          : "text-destructive flex items-center gap-2 text-sm font-medium"
      }
    >
      <Icon className="size-4 shrink-0" aria-hidden="true" />
      <span>{text}</span>
    </p>
  );
}
