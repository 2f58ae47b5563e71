#!/usr/bin/env bash
# Builds local stand-ins for the Docker Hub images Candor's Dockerfile and
# docker-compose.yml name (python:3.11-slim, postgres:16, redis:7), from Debian
# bookworm packages only, for a machine whose Docker engine cannot pull from Docker
# Hub. README.md beside this file says what differs from the official images.
#
#   sudo tests/config/docker/build-standins.sh     # needs root, debootstrap, dockerd
#
# A tag that already holds an image not built here (a real pull) is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
label=org.candor.standin

is_standin_or_missing() {  # is_standin_or_missing TAG
  ! docker image inspect "$1" >/dev/null 2>&1 \
    || [ "$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1")" = "true" ]
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The base every stand-in builds on: a minimal bookworm, as debian:bookworm-slim is.
if is_standin_or_missing debian:bookworm-slim; then
  echo "debootstrap bookworm (a few minutes)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" \
    || { tail -20 "$work/debootstrap.log"; exit 1; }
  cat >"$work/rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  tar -C "$work/rootfs" -c . | docker import \
    --change 'CMD ["bash"]' --change "LABEL $label=true" - debian:bookworm-slim
  rm -rf "$work/rootfs"
fi

for image in python:3.11-slim postgres:16 redis:7; do
  name="${image%%:*}"
  if ! is_standin_or_missing "$image"; then
    echo "$image: a real image is there, kept"
    continue
  fi
  cp -r "$here/$name" "$work/$name"
  if [ "$name" = python ]; then
    # This machine's extra certificate authorities (an HTTPS egress proxy's), so that
    # pip in the build trusts what the host's pip trusts.
    mkdir -p "$work/python/extra-ca"
    cp /usr/local/share/ca-certificates/*.crt "$work/python/extra-ca/" 2>/dev/null || true
  fi
  echo "building $image"
  docker build -q --label "$label=true" -t "$image" "$work/$name"
done
docker image ls --filter "label=$label"
