# Galleon: small non-root image on Node 22 LTS.
#   docker build -t galleon .
#   docker run -d -p 5555:5555 -v galleon-data:/data \
#     -e GALLEON_BASE_URL=http://myhost:5555 -e GALLEON_API_KEY=change-me galleon
# GALLEON_BASE_URL is the URL clients use: the image listens on 0.0.0.0, where Galleon cannot guess it.

# --- build: dependencies (cached while package.json and the lockfile are unchanged), then dist/ ---
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (bin/build.js) needs the sources, copied below; it runs as `npm run build`
RUN npm ci --ignore-scripts --no-audit --no-fund
# everything .dockerignore lets through: the runtime rooms (feed/, db/, server/, client/, ...), bin/, tsconfig*
COPY . .
# compiles to dist/, makes dist/embedded-template/, then drops the development packages
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime ---
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5555 \
    GALLEON_DATA_DIR=/data
WORKDIR /app
# owned by root, read-only for the server; the sources stay beside dist/ (bin/galleon.js runs dist/
# while it is current and the sources through tsx otherwise)
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5555
# the NuGet service index, fetched with Node's own fetch (no curl in the image)
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5555) + '/v3/index.json').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/galleon.js", "serve"]
