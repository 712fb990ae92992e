# Chorus worker without a GPU: transformers.js on the CPU (the tiny model, small ONNX models), the `openai`
# backend (a vLLM or other OpenAI-compatible server elsewhere does the GPU work) or `synthetic` for load tests.
# Build from the repository root:  docker build -f docker/worker-cpu.Dockerfile -t chorus-worker:cpu .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
# The worker's two workspaces (gpu-workers and the @chorus/worker-protocol it shares with the API) from the root's
# one lock file; the API's own dependencies are not installed.
COPY package.json package-lock.json .npmrc ./
COPY packages/worker-protocol/package.json packages/worker-protocol/tsconfig.json ./packages/worker-protocol/
COPY gpu-workers/package.json gpu-workers/tsconfig.json ./gpu-workers/
# --ignore-scripts: the root's prepare script (tsc) would run before the sources are copied
RUN npm ci --ignore-scripts --no-audit --no-fund --workspace=@chorus/worker-protocol --workspace=@chorus/gpu-workers
COPY packages/worker-protocol/src ./packages/worker-protocol/src
COPY gpu-workers/src ./gpu-workers/src
COPY gpu-workers/scripts ./gpu-workers/scripts
RUN npx tsc -p packages/worker-protocol/tsconfig.json && npx tsc -p gpu-workers/tsconfig.json \
 && node gpu-workers/dist/scripts/make-tiny-model.js

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# onnxruntime-node's CPU build ships in its npm package; nothing is downloaded.
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip CHORUS_WORKER_BACKEND=transformers CHORUS_WORKER_CAPACITY=2
COPY package.json package-lock.json .npmrc ./
COPY packages/worker-protocol/package.json ./packages/worker-protocol/
COPY gpu-workers/package.json ./gpu-workers/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@chorus/worker-protocol --workspace=@chorus/gpu-workers \
 && npm cache clean --force
COPY --from=build /app/packages/worker-protocol/dist ./packages/worker-protocol/dist
COPY --from=build /app/gpu-workers/dist ./gpu-workers/dist
COPY --from=build /app/gpu-workers/models ./gpu-workers/models
WORKDIR /app/gpu-workers
USER node
CMD ["node", "dist/src/worker/main.js"]
