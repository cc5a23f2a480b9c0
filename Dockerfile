# Switchboard server image. Build: docker build -t switchboard:0.1.0 .
# Run the demo locally (SQLite needs a writable dir; the image is read-only for its user):
#   docker run --rm -p 8080:8080 switchboard:0.1.0 serve --data-dir /tmp/switchboard
# In Kubernetes the config is mounted at /etc/switchboard/config.yaml (deploy/kubernetes/).

# --- builder: full dependencies, a native build of better-sqlite3, the TypeScript compile ---
# Node 24, the active LTS line (Node 20 reached end of life in April 2026); the major tag follows
# its security releases. The Lambda template runs the same major (deploy/lambda/template.yaml).
FROM node:24-bookworm-slim AS builder
WORKDIR /app
# Toolchain for better-sqlite3 when no prebuilt binary matches; it stays in this stage.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Dependencies first: this layer is reused until package.json or the lockfile changes.
COPY package.json package-lock.json ./
# No scripts here: the package's own `prepare` builds, and the sources are not copied yet. The one
# dependency script the image needs, better-sqlite3's native build, is run by name.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The demo shop's catalogue and FAQ, which the built-in demo config ingests at start (docs/retrieval.md).
COPY demo ./demo
RUN npm run build
# Only what runs: drop the compiler, test libraries and type packages.
RUN npm prune --omit=dev --no-audit --no-fund
# V8's code cache of the modules a start loads (src/cli/compile-cache.ts): the server is started once
# with the demo config and stopped, and Node writes what it compiled into dist/compile-cache/, which
# the runtime reads instead of compiling (~20 ms less CPU per start; a stale entry is recompiled).
# Node keeps one cache folder per user id, so it is filled as the runtime's user (10001, as below and
# in the Deployment); the runtime stage copies it owned by root, read-only like the code.
RUN mkdir -p dist/compile-cache && chown 10001 dist/compile-cache
USER 10001
RUN node scripts/fill-compile-cache.mjs

# --- runtime: node, the compiled server and production dependencies; no toolchain, no npm cache ---
# The same base as the builder, so the native module matches its glibc; it has `sleep`, which
# the Kubernetes preStop hook runs.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the server's user: the code cannot be changed at run time.
COPY --from=builder /app/package.json ./package.json
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
COPY --from=builder /app/demo ./demo
# A numeric id with no passwd entry, matching runAsUser in deploy/kubernetes/base/deployment.yaml.
USER 10001:10001
EXPOSE 8080
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz. Node runs as PID 1 and handles
# SIGTERM itself (drain, then exit 0).
ENTRYPOINT ["node", "dist/bin/switchboard.mjs"]
CMD ["serve", "--config", "/etc/switchboard/config.yaml"]
