#!/bin/sh
# `make image`: the Dockerfile built with docker when an engine answers, else with buildah
# (chroot isolation, no daemon), on a Debian base made locally when no registry serves one.
set -eu
cd "$(dirname "$0")/../.."
IMAGE=${IMAGE:-barberbot:dev}
CONTEXT=${CONTEXT:-.}  # e.g. a `git archive HEAD` export, to build what is committed
# A CA bundle for the build's downloads (a TLS-inspecting proxy's): BUILD_CA_BUNDLE, else the
# one this machine's Python tools are told to use, if any.
CA_BUNDLE=${BUILD_CA_BUNDLE:-${SSL_CERT_FILE:-}}
SECRET=""
if [ -n "$CA_BUNDLE" ] && [ -f "$CA_BUNDLE" ]; then SECRET="--secret id=ca-bundle,src=$CA_BUNDLE"; fi

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  export DOCKER_BUILDKIT=1
  exec docker build --tag "$IMAGE" $SECRET \
    ${PYTHON_IMAGE:+--build-arg PYTHON_IMAGE="$PYTHON_IMAGE"} "$CONTEXT"
fi
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "No Docker engine answers, and buildah or debootstrap is missing:" \
      "apt-get install buildah debootstrap (or run as root)" >&2
    exit 1
  fi
  echo "Installing buildah and debootstrap (no Docker engine answers)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    buildah debootstrap >/dev/null
fi
if [ -z "${PYTHON_IMAGE:-}" ]; then
  PYTHON_IMAGE=localhost/barberbot-python:3.11-bookworm
  BASE_IMAGE=$PYTHON_IMAGE deploy/image/debian-base.sh
fi
exec buildah bud --isolation=chroot --layers --tag "$IMAGE" $SECRET \
  --build-arg PYTHON_IMAGE="$PYTHON_IMAGE" "$CONTEXT"
