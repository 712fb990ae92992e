# Chorus worker without a GPU: transformers.js on the CPU (the tiny model, small ONNX models), the `openai`
# backend (a vLLM or other OpenAI-compatible server elsewhere does the GPU work) or `synthetic` for load tests.
# Build from the repository root:  docker build -f docker/worker-cpu.Dockerfile -t chorus-worker:cpu .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app/gpu-workers
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY gpu-workers/package.json gpu-workers/package-lock.json gpu-workers/.npmrc ./
# --ignore-scripts: the package's prepare script (tsc) would run before the sources are copied
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY gpu-workers/tsconfig.json ./
COPY gpu-workers/src ./src
COPY gpu-workers/scripts ./scripts
RUN npx tsc -p . && node dist/scripts/make-tiny-model.js

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app/gpu-workers
# onnxruntime-node's CPU build ships in its npm package; nothing is downloaded.
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip CHORUS_WORKER_BACKEND=transformers CHORUS_WORKER_CAPACITY=2
COPY gpu-workers/package.json gpu-workers/package-lock.json gpu-workers/.npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/gpu-workers/dist ./dist
COPY --from=build /app/gpu-workers/models ./models
USER node
CMD ["node", "dist/src/worker/main.js"]
