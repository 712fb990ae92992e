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
WORKDIR /app/gpu-workers
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY gpu-workers/package.json gpu-workers/package-lock.json gpu-workers/.npmrc ./
# --ignore-scripts: the package's prepare script (tsc) would run before the sources are copied
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY gpu-workers/tsconfig.json ./
COPY gpu-workers/src ./src
COPY gpu-workers/scripts ./scripts
RUN npx tsc -p . && node dist/scripts/make-tiny-model.js

# --- production dependencies, with onnxruntime-node's CUDA 12 provider downloaded by its install script ------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app/gpu-workers
COPY gpu-workers/package.json gpu-workers/package-lock.json gpu-workers/.npmrc ./
# The environment variable wins over .npmrc's `onnxruntime-node-install=skip`. Install scripts must run here (the
# CUDA provider is fetched by one), so the package's own prepare script (tsc, a dev dependency) is taken out.
RUN npm pkg delete scripts.prepare && ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: the CUDA base image plus Node's binary ---------------------------------------------------------
FROM ${CUDA_IMAGE} AS runtime
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system chorus && useradd --system --gid chorus --home-dir /app --shell /usr/sbin/nologin chorus
WORKDIR /app/gpu-workers
ENV NODE_ENV=production CHORUS_WORKER_BACKEND=transformers CHORUS_WORKER_CAPACITY=4
COPY --from=deps /app/gpu-workers/node_modules ./node_modules
COPY --from=build /app/gpu-workers/package.json ./package.json
COPY --from=build /app/gpu-workers/dist ./dist
COPY --from=build /app/gpu-workers/models ./models
USER chorus
# The worker connects out to the API (no port to publish); it exits non-zero when it cannot, and is restarted.
CMD ["node", "dist/src/worker/main.js"]
