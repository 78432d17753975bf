#!/bin/sh
# `make image-check`: builds the image, then runs it as the cluster would — `db upgrade` (the
# migrations Job), then `serve` as its non-root user — and asks /healthz and /readyz.
# Without a Docker engine buildah runs it (chroot isolation, the host's network).
set -eu
cd "$(dirname "$0")/../.."
IMAGE=${IMAGE:-barberbot:dev}
PORT=${PORT:-18080}
IMAGE=$IMAGE deploy/image/build.sh
ENV="-e BARBERBOT_PORT=$PORT -e BARBERBOT_HOST=127.0.0.1 -e BARBERBOT_SECRET_KEY=image-check-key"

probe() {
  tries=0
  until curl -fsS "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    tries=$((tries + 1)); [ $tries -lt 120 ] || { echo "no answer on /healthz" >&2; return 1; }
    sleep 0.5
  done
  echo; curl -fsS "http://127.0.0.1:$PORT/readyz"; echo
}

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  volume=$(docker volume create)
  trap 'docker rm -f barberbot-image-check >/dev/null 2>&1; docker volume rm "$volume" >/dev/null' EXIT
  docker run --rm $ENV -v "$volume:/var/lib/barberbot" "$IMAGE" db upgrade
  docker run -d --name barberbot-image-check --network host $ENV -v "$volume:/var/lib/barberbot" "$IMAGE" serve
  probe
  exit
fi

container=$(buildah from --quiet "$IMAGE")
log=$(mktemp)
cleanup() {
  [ -z "${server:-}" ] || kill -TERM "-$server" 2>/dev/null || true
  sleep 1; buildah rm "$container" >/dev/null; rm -f "$log"
}
trap cleanup EXIT
buildah run --isolation=chroot $ENV "$container" -- barberbot db upgrade
setsid buildah run --isolation=chroot $ENV "$container" -- barberbot serve >"$log" 2>&1 &
server=$!
probe || { cat "$log"; exit 1; }
echo "image $IMAGE: runs as $(buildah run --isolation=chroot "$container" -- id -un)," \
  "$(buildah images --format '{{.Size}}' "$IMAGE" | head -1)"
