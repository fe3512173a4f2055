# One image for the server and the workers (compose picks the command).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY server/package.json server/
COPY workers/package.json workers/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build client

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
RUN npm prune --omit=dev --no-audit --no-fund || true
USER node
EXPOSE 3000
CMD ["node", "node_modules/tsx/dist/cli.mjs", "server/src/main.ts"]
