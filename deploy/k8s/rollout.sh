#!/bin/sh
# Deploys an overlay in order: everything but the API, the workers and the campaign sender
# (namespace, config, backing services in dev, the migrations Job), waits for the migrations,
# then rolls those out on the migrated schema.  Usage: deploy/k8s/rollout.sh dev|prod
set -eu
overlay=${1:?usage: $0 dev|prod}
dir="$(dirname "$0")/overlays/$overlay"
namespace=$(kubectl kustomize "$dir" | sed -n 's/^  namespace: //p' | head -1)

# A Job's pod template cannot change: the previous run goes before a new image migrates.
kubectl -n "$namespace" delete job barberbot-migrate --ignore-not-found
kubectl apply -k "$dir" -l 'app.kubernetes.io/component notin (api,worker,campaigns)'
kubectl -n "$namespace" wait --for=condition=complete --timeout=15m job/barberbot-migrate
kubectl apply -k "$dir"
kubectl -n "$namespace" rollout status deployment/barberbot-api --timeout=10m
kubectl -n "$namespace" rollout status deployment/barberbot-worker --timeout=10m
kubectl -n "$namespace" rollout status deployment/barberbot-campaigns --timeout=10m
