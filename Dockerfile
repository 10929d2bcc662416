# syntax=docker/dockerfile:1
# Crosswalk's image: `crosswalk serve`, `crosswalk worker` and every other CLI command, run from the TypeScript
# source by tsx (there is no build step), with exactly the dependencies pnpm-lock.yaml pins, as the unprivileged
# `node` user. docker-compose.yml builds it; `docker build -t crosswalk .` alone works too.
# NODE_VERSION and PNPM_VERSION are kept equal to .node-version and package.json's packageManager by a test.
ARG NODE_VERSION=26.12.1

FROM node:${NODE_VERSION}-bookworm-slim AS deps
ARG PNPM_VERSION=10.34.9
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /app
# The lockfile alone decides what is downloaded, so this layer is reused until a dependency changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=crosswalk-pnpm,target=/pnpm-store pnpm fetch --prod --store-dir /pnpm-store
COPY . .
RUN --mount=type=cache,id=crosswalk-pnpm,target=/pnpm-store \
    pnpm install --prod --frozen-lockfile --offline --store-dir /pnpm-store --package-import-method copy

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    CROSSWALK_LOCKER_DIR=/data/locker
WORKDIR /app
# The code stays root-owned (the service cannot change it); what it writes goes to /data and /keys.
COPY --from=deps /app /app
RUN mkdir -p /data /keys && chown node:node /data /keys && chmod 0700 /keys
USER node
VOLUME ["/data", "/keys"]
EXPOSE 8080
ENTRYPOINT ["/app/scripts/docker/entrypoint.sh"]
CMD ["--help"]
