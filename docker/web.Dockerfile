# syntax=docker/dockerfile:1
# The web app: built with Node (Vite), served as static files by nginx as a non-root user.
#   docker build -f docker/web.Dockerfile -t jab/web .

# Only the package manifests, so the `npm ci` layer below is reused until a dependency changes.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json .npmrc /manifests/

FROM node:20-bookworm-slim AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npx nx build web

FROM nginx:1.27-bookworm AS runtime
# Our nginx.conf replaces the image's: listen 4200, pid and temp files under /tmp, no root needed.
RUN rm -f /etc/nginx/conf.d/default.conf
COPY docker/web/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /src/apps/web/dist/ /usr/share/nginx/html/
USER nginx
EXPOSE 4200
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:4200/"]
CMD ["nginx", "-g", "daemon off;"]
