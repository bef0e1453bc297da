# syntax=docker/dockerfile:1
# One image recipe for every Node service; the build context is the repository root.
#   docker build -f docker/node.Dockerfile --build-arg APP=registration --build-arg PORT=3001 .
# The same image runs the HTTP api and the queue workers: ROLE=api|worker|all picks.

# Only the package manifests, so the `npm ci` layer below is reused until a dependency changes.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json .npmrc /manifests/

FROM node:20-bookworm-slim AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
ARG APP
# prune = esbuild bundle (workspace libs inlined) + migrations + package.json/lockfile of the
# app's production dependencies + workspace_modules, all in apps/${APP}/dist.
RUN : "${APP:?build with --build-arg APP=<service>}" \
 && npx nx run "${APP}:prune"

FROM node:20-bookworm-slim AS runtime
ARG APP
ARG PORT=3000
ENV NODE_ENV=production \
    PORT=${PORT} \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Production dependencies only, from the pruned lockfile (its `file:` deps live in workspace_modules).
COPY --from=build /src/.npmrc /src/apps/${APP}/dist/package.json /src/apps/${APP}/dist/package-lock.json ./
COPY --from=build /src/apps/${APP}/dist/workspace_modules ./workspace_modules
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /src/apps/${APP}/dist/ ./
# The code stays root-owned and read-only to the app; only local file sinks
# (NOTIFY_SINK_DIR, mounted as a volume) are writable.
RUN mkdir -p /var/lib/jab/sink && chown -R node:node /var/lib/jab
USER node
EXPOSE ${PORT}
# Liveness only (readiness gates traffic in compose and the ALB); PORT is read at run time.
HEALTHCHECK --interval=10s --timeout=5s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "main.js"]
