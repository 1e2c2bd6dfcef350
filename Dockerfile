# signaldesk: worker + Discord bot. Production runs against MONGODB_URI (MongoDB >= 6); the embedded
# FerretDB helper is a development default and is not part of this image.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
USER node
# worker (default) | bot ; the CLI is `docker run ... node bin/signaldesk.js <command>`
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["worker"]
