# One image for every production role of Billing Center; docker-compose.yml picks the role by command:
#   npm run api         the HTTP API (PORT, default 3000)
#   npm run worker      the Temporal worker
#   npm run db:migrate  apply pending migrations, then exit
# Each role needs DATABASE_URL (and TEMPORAL_ADDRESS for api and worker) from the environment: nothing
# secret is baked in, and no role starts the embedded PostgreSQL or Temporal that `npm start` uses.
#
# Debian (glibc) rather than Alpine: the Temporal SDK's native core bridge ships prebuilt for glibc only.
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them. `npm ci` runs the postinstall
# `prisma generate` (scripts/prisma-generate.mjs), which needs the Prisma CLI (a dev dependency), the schema
# and prisma.config.ts; it writes the client to src/db/generated. Dev dependencies are dropped in the same
# layer, so they never reach the image. The service runs TypeScript through tsx, a runtime dependency.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs ./scripts/
COPY prisma ./prisma
RUN npm ci --include=dev \
 && npm prune --omit=dev \
 && npm cache clean --force

# The tree (.dockerignore keeps out node_modules, the generated client, local data, tests and secrets).
COPY . .

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
