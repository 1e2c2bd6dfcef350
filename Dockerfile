# signaldesk: worker + Discord bot. Production runs against MONGODB_URI (MongoDB >= 6); the embedded
# FerretDB helper is a development default and is not part of this image.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the sources are not here yet for `prepare` (the build runs below).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
COPY scripts ./scripts
# The image's own Node 24 runs everything: the pinned runtime package (for machines whose node is older) goes.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-* node_modules/.bin/node

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
USER node
# The admin port (loopback inside the container): /metrics, /healthz, /readyz. Publish it with
# METRICS_HOST=0.0.0.0 and -p 9464:9464 for Prometheus.
ENV METRICS_PORT=9464
# Liveness, not readiness: a worker catching up after downtime is alive and answering (its /readyz says
# "catch-up: n of m" with a 503 until it is done); a HEALTHCHECK on /readyz would restart it mid catch-up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.METRICS_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# worker (default) | bot ; the CLI is `docker run ... node bin/signaldesk.js <command>`
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["worker"]
