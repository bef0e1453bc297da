#!/bin/sh
# The official nginx image's entrypoint, less its optional configuration scripts
# (/docker-entrypoint.d), which Jab's images do not use: run the command as given.
set -e
exec "$@"
