#!/bin/sh
# Makes the image's base where no registry serves python:3.11-slim: a minimal Debian 12 root
# file system (debootstrap) with Python 3.11, committed with buildah as $BASE_IMAGE.
# Its Python sits at /usr/bin/python3.11 like Debian's; the Dockerfile only calls `python3.11`.
set -eu
BASE_IMAGE=${BASE_IMAGE:-localhost/barberbot-python:3.11-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "base image $BASE_IMAGE exists"; exit 0
fi
for tool in debootstrap buildah; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install $tool" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root" >&2; exit 1; }

rootfs=$(mktemp -d /tmp/barberbot-rootfs.XXXXXX)
trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
echo "debootstrap bookworm into $rootfs ..."
debootstrap --variant=minbase --include=python3.11,python3.11-venv,python3-distutils,ca-certificates \
  bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; exit 1; }
# Nothing in the image needs apt's lists, the docs or the locales.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*

container=$(buildah from scratch)
buildah copy --quiet "$container" "$rootfs" / >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env LANG=C.UTF-8 --cmd /bin/bash "$container"
buildah commit --quiet --rm "$container" "$BASE_IMAGE" >/dev/null
echo "base image $BASE_IMAGE made"
