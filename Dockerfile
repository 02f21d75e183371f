# syntax=docker/dockerfile:1
# One image, both programs (Node 22 LTS, production dependencies only, non-root):
#   proxy:    node proxy/dist/main.js --config /etc/junction/gateway.yaml     (the default command)
#   operator: node operator/dist/main.js --config /etc/junction/operator.yaml
# The entrypoint is node, so the Helm chart passes only the script and its arguments.
#   docker build -t junction .
#   docker run --rm junction operator/dist/main.js --help

ARG NODE_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot

# Compile the three workspaces with the dev dependencies (TypeScript).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY proxy/package.json proxy/
COPY operator/package.json operator/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY shared/ shared/
COPY proxy/ proxy/
COPY operator/ operator/
RUN npm run build

# Production dependencies only, next to the compiled output. npm links the workspaces into
# node_modules/@junction/* with relative symlinks, which stay valid under /app.
FROM ${NODE_IMAGE} AS production
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY proxy/package.json proxy/
COPY operator/package.json operator/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/shared/dist shared/dist
COPY --from=build /src/proxy/dist proxy/dist
COPY --from=build /src/operator/dist operator/dist

# Distroless: no shell, no package manager; runs as uid/gid 65532 (nonroot), which the chart sets too.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=production --chown=0:0 /app /app
USER 65532:65532
EXPOSE 8080 8081 8082
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["proxy/dist/main.js", "--config", "/etc/junction/gateway.yaml"]
