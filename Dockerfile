# syntax=docker/dockerfile:1
# Two images from one build (docs/deploy.md):
#   docker build --target api -t copilot-api .      the JSON API and status page: one Bun binary on distroless
#   docker build --target worker -t copilot-worker . the Temporal worker on Node, production dependencies only
# Each image's files come from deploy/docker/image-files.ts, which test/deploy/images.test.ts runs too: the tests
# assemble the same file sets and run the same entrypoints and health checks outside Docker.

# Bun is pinned to .ci/setup's version, so the image is built by the Bun the tests ran.
FROM oven/bun:1.4.4-slim AS build
WORKDIR /src
COPY package.json bun.lock ./
# Lifecycle scripts stay off, as in development: nothing the build needs compiles at install time.
RUN bun install --frozen-lockfile --ignore-scripts
COPY . .

FROM build AS api-files
RUN bun deploy/docker/image-files.ts api /out

FROM build AS worker-files
RUN bun deploy/docker/image-files.ts worker /out

# glibc and CA certificates (DSQL's TLS chains to Amazon Root CA 1), no shell. Users are numeric so that
# Kubernetes' runAsNonRoot and ECS can verify them without the image's passwd file: 65532 is distroless' `nonroot`.
FROM gcr.io/distroless/base-debian12:nonroot AS api
COPY --from=api-files /out/ /app/
USER 65532:65532
# A container is reached from outside it: listen on every interface (the default, 127.0.0.1, suits a laptop).
ENV COPILOT_API_HOST=0.0.0.0 \
    COPILOT_API_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/app/copilot", "healthcheck"]
ENTRYPOINT ["/app/copilot"]
CMD ["api"]

# Node 22 LTS: the SDK's worker runs on Node (README, "Why the worker runs on Node"); slim is Debian, whose glibc
# the prebuilt core-bridge links against.
FROM node:22-bookworm-slim AS worker
WORKDIR /app
# 1000 is the image's `node` user. The files stay root-owned and read-only to it: the worker writes nothing here.
COPY --from=worker-files /out/ /app/
USER 1000:1000
ENV NODE_ENV=production \
    COPILOT_WORKER_METRICS_PORT=9464
EXPOSE 9464
# The worker serves its Prometheus metrics on COPILOT_WORKER_METRICS_PORT; an answer there means its loop is alive.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.COPILOT_WORKER_METRICS_PORT||9464)+'/metrics',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/worker.js"]
