# syntax=docker/dockerfile:1
# One image for the api, worker and migrate services of docker-compose.yml (they differ by command).
ARG NODE_IMAGE=node:24.19.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
# Only the production tree: tsconfig.json compiles src/ alone, so nothing of dev/ (emulator, stand-ins,
# local infra), test/ or bench/ can reach the image.
COPY src ./src
COPY migrations ./migrations
# The workflow bundle is built here so that workers never run webpack at start-up.
RUN npm run build:production \
 && npm run bundle:workflows \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Code stays owned by root: the non-root runtime user can read it but not change it.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
# Served at GET /openapi.json and GET /privacy; read once at start-up (src/api/routes/openapi.ts,
# src/api/routes/privacy.ts), so the API needs them.
COPY docs/openapi.json ./docs/openapi.json
COPY docs/privacy-policy.md ./docs/privacy-policy.md
USER node
EXPOSE 3000
CMD ["node", "dist/src/main-api.js"]
