# Sluice: multi-stage image. Build stage installs everything and builds the UI; the runtime stage keeps
# production dependencies only, runs as a non-root user and checks /healthz.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build:ui --if-present

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/server ./server
COPY --from=build /app/processors ./processors
COPY --from=build /app/flows ./flows
COPY --from=build /app/ui/dist ./ui/dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/sluice.mjs"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--data", "/data"]
