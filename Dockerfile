# Galleon: small non-root image. Build: docker build -t galleon .
# Build stage: install everything, compile the sources to dist/ (`npm ci` runs `prepare` = bin/build.js),
# then drop the development packages.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY feed ./feed
COPY db ./db
COPY server ./server
COPY client ./client
COPY protocol ./protocol
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5555 \
    GALLEON_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
# sources stay beside dist/: bin/galleon.js runs dist/ while it is current, the sources through tsx otherwise
COPY --from=build /app/bin ./bin
COPY --from=build /app/feed ./feed
COPY --from=build /app/db ./db
COPY --from=build /app/server ./server
COPY --from=build /app/client ./client
COPY --from=build /app/protocol ./protocol
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5555
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||5555)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "bin/galleon.js", "serve"]
