# Chorus GPU worker on CUDA: transformers.js with onnxruntime-node's CUDA provider, or any OpenAI-compatible server
# (vLLM, TGI, llama.cpp, Ollama) through the `openai` backend. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t chorus-worker:cuda .
# Run on a host with the NVIDIA container toolkit:  docker run --gpus all --env-file docker/.env chorus-worker:cuda
# Variables: CHORUS_API_URL, CHORUS_WORKER_KEY, CHORUS_WORKER_MODELS, CHORUS_WORKER_BACKEND, CHORUS_WORKER_CAPACITY,
# CHORUS_OPENAI_BASE_URL, CHORUS_OPENAI_API_KEY, CHORUS_OPENAI_MODEL (see docker/README.md).
ARG NODE_IMAGE=node:20-bookworm-slim
# CUDA 12 runtime with cuDNN 9: what onnxruntime-node 1.30's CUDA provider links against.
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

# --- compile the worker and generate the tiny model (dev dependencies, no CUDA download) ----------------------
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

# --- production dependencies, with onnxruntime-node's CUDA 12 provider downloaded by its install script ------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/worker-protocol/package.json ./packages/worker-protocol/
COPY gpu-workers/package.json ./gpu-workers/
# The environment variable wins over .npmrc's `onnxruntime-node-install=skip`. Install scripts must run here (the
# CUDA provider is fetched by one), so the root's prepare script (tsc, a dev dependency) is taken out.
RUN npm pkg delete scripts.prepare \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci --omit=dev --no-audit --no-fund --workspace=@chorus/worker-protocol --workspace=@chorus/gpu-workers \
 && npm cache clean --force

# --- runtime: the CUDA base image plus Node's binary ---------------------------------------------------------
FROM ${CUDA_IMAGE} AS runtime
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system chorus && useradd --system --gid chorus --home-dir /app --shell /usr/sbin/nologin chorus
WORKDIR /app
ENV NODE_ENV=production CHORUS_WORKER_BACKEND=transformers CHORUS_WORKER_CAPACITY=4
# node_modules holds both workspaces' dependencies (hoisted) and the links to the two workspaces
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/packages/worker-protocol/package.json ./packages/worker-protocol/package.json
COPY --from=build /app/packages/worker-protocol/dist ./packages/worker-protocol/dist
COPY --from=deps /app/gpu-workers/package.json ./gpu-workers/package.json
COPY --from=build /app/gpu-workers/dist ./gpu-workers/dist
COPY --from=build /app/gpu-workers/models ./gpu-workers/models
WORKDIR /app/gpu-workers
USER chorus
# The worker connects out to the API (no port to publish); it exits non-zero when it cannot, and is restarted.
CMD ["node", "dist/src/worker/main.js"]
