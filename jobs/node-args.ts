/**
 * How every worker process starts: `node ${WORKER_NODE_ARGS} ${WORKER_ENTRY}`; at the end, the
 * web process's flags.
 * The launcher (scripts/launch.ts) and the bench use this list; package.json's "worker" script
 * spells the same flags out (jobs/node-args.test.ts keeps the two equal).
 *
 * --max-semi-space-size=1 (MiB): caps V8's young generation. Since Node 22, V8 sizes it from the
 * heap limit, which it derives from the machine's RAM: 64 MiB semi-spaces on a 23.5 GiB machine
 * (Node 20 stopped at 16 MiB). Starting a worker (modules, migrations, pg-boss) survives enough
 * to grow it to the maximum, and about 30 MiB of those pages then stay resident for the
 * process's life while the space sits almost empty. The worker's own JavaScript allocates little
 * on the V8 heap (the bytes it moves are Buffers, outside it), so the small young generation
 * costs it no measurable time. Measured with `npm run bench` and /proc (docs/benchmarks.md):
 * idle RSS ≈ 150 → ≈ 118 MiB, and the peak of a load drops by about as much. V8 does not apply
 * this flag after start-up, so it cannot be set from inside jobs/worker.ts.
 *
 * --heap-growing-percent=200: after each full collection V8 lets the old generation grow by a
 * factor it picks from the GC's speed, about 1.35 here, so on the worker's ≈ 25 MiB live heap the
 * next full collection came ≈ 9 MiB later. What fills those MiB during a load is the Buffers of
 * the fetch (external memory counted against that limit), so a 1M-row URL load did ≈ 30 full
 * collections: 1.1–1.6 s of the worker's 4.0–4.8 CPU-s. A factor of 3 leaves ≈ 50 MiB: 0.2 s of GC
 * and 2.6–2.8 CPU-s, with the same peak RSS (166–177 against 167–168 MiB on that file, 167 MiB on
 * the 1 GiB file against the 200 MiB target; docs/benchmarks.md). A V8 flag, passed through by
 * Node 22.12, 24 and 26 alike.
 *
 * No `--import tsx`: jobs/start.mjs runs the worker from an esbuild bundle of its sources (why and
 * what it saves: that file's header).
 */
export const WORKER_NODE_ARGS: readonly string[] = ["--max-semi-space-size=1", "--heap-growing-percent=200"];

/** Bundles jobs/worker.ts when its sources changed, then runs it. */
export const WORKER_ENTRY = "jobs/start.mjs";

/**
 * V8 flags for the web process: the worker's two, for the same reason. What the web process
 * allocates most while a large upload streams in is Buffers (the request's pieces on their way to
 * storage and to the upload thread), memory outside the V8 heap that V8 counts towards its next
 * full collection, and each full collection marks all of Next's heap: 1.1–1.5 of them a second
 * during a 165 MB upload, 0.2–0.3 of a core on V8's helper threads. With a 1 MiB young
 * generation those Buffers die in the next scavenge instead of waiting for a full collection, and
 * the old generation grows by 3× before the next one: 0.1 full collections a second, helper
 * threads ≈ 70 ms a second, the event loop's worst delay 49 ms instead of 160–240 ms; pages
 * render as fast when idle (docs/benchmarks.md, 2026-12-08). The launcher (scripts/launch.ts)
 * starts the web process with them; `npm run bench` runs with them too, since its process hosts
 * the upload route the variant table measures (bench/upload-route.ts).
 */
export const WEB_NODE_ARGS: readonly string[] = ["--max-semi-space-size=1", "--heap-growing-percent=200"];
