"""deploy/k8s: both kustomizations render, pass kubeconform against the Kubernetes schemas, and keep
the properties an operator relies on (hardened pods, probes, who may reach whom, Kafka's sizing)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.tooling import CERT_MANAGER_KINDS, KUBERNETES_VERSION, STRIMZI_KINDS, find_tool

SERVICES = ("onceonly-lookup", "onceonly-gateway", "onceonly-tracker")

Manifests = dict[str, list[dict[str, Any]]]


def kind(docs: list[dict[str, Any]], kind_name: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind_name}


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_kubeconform_validates_every_core_resource(
    overlay: str, rendered: dict[str, Path], schema_dir: Path, manifests: Manifests
) -> None:
    kubeconform = find_tool("kubeconform", install_hint="tools/install.sh kubeconform")
    location = str(schema_dir / "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}")
    result = subprocess.run(
        [
            kubeconform,
            "-strict",
            "-summary",
            "-output=text",
            f"-kubernetes-version={KUBERNETES_VERSION}",
            f"-schema-location={location}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
            f"-skip={','.join((*STRIMZI_KINDS, *CERT_MANAGER_KINDS))}",
            str(rendered[overlay]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing may slip through as "no schema": every kind but Strimzi's was checked.
    assert "Errors: 0" in result.stdout
    skipped = [d for d in manifests[overlay] if d["kind"] in (*STRIMZI_KINDS, *CERT_MANAGER_KINDS)]
    assert f"Skipped: {len(skipped)}" in result.stdout


def test_kubeconform_rejects_an_invalid_manifest(tmp_path: Path, schema_dir: Path) -> None:
    kubeconform = find_tool("kubeconform", install_hint="tools/install.sh kubeconform")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: http}], bogus: 1}\n"
    )
    location = str(schema_dir / "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}")
    result = subprocess.run(
        [
            kubeconform,
            "-strict",
            f"-kubernetes-version={KUBERNETES_VERSION}",
            f"-schema-location={location}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
            str(bad),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "bogus" in result.stdout


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_every_pod_is_hardened(overlay: str, manifests: Manifests) -> None:
    deployments = kind(manifests[overlay], "Deployment")
    assert sorted(deployments) == sorted(SERVICES)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"], name
            assert container["resources"]["limits"]["memory"], name


def test_probes_are_native_grpc_for_lookup_and_http_for_the_apis(manifests: Manifests) -> None:
    deployments = kind(manifests["base"], "Deployment")
    lookup = deployments["onceonly-lookup"]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        # The plaintext health-only port: the kubelet presents no client certificate.
        assert lookup[probe]["grpc"] == {"port": 50052}
    # The tracker's liveness is /livez: it fails once the embedded consumer has ended or is stuck.
    for name, live in (("onceonly-gateway", "/healthz"), ("onceonly-tracker", "/livez")):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"] == {"path": live, "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_secrets_are_referenced_never_embedded(overlay: str, manifests: Manifests) -> None:
    docs = manifests[overlay]
    assert not kind(docs, "Secret")
    for deployment in kind(docs, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                if variable["name"].endswith(("DATABASE_URL", "PSEUDONYM_KEY")):
                    assert "value" not in variable
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == "onceonly"


def test_only_the_gateway_reaches_lookup(manifests: Manifests) -> None:
    policies = kind(manifests["base"], "NetworkPolicy")
    assert policies["onceonly-default-deny-ingress"]["spec"]["policyTypes"] == ["Ingress"]
    to_lookup = [
        p
        for p in policies.values()
        if p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") == "onceonly-lookup"
    ]
    assert len(to_lookup) == 1
    (rule,) = to_lookup[0]["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "onceonly-gateway"}}}]
    assert rule["ports"] == [{"port": 50051, "protocol": "TCP"}]


def test_only_the_services_reach_kafka_and_postgresql(manifests: Manifests) -> None:
    """The gateway and the tracker, and the auditor's job (its Kafka ACLs and database role only read)."""
    kafka = kind(manifests["base"], "Kafka")["onceonly"]
    for listener in kafka["spec"]["kafka"]["listeners"]:
        peers = {
            p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in listener["networkPolicyPeers"]
        }
        assert peers == {"onceonly-gateway", "onceonly-tracker", "onceonly-auditor"}
    postgres = kind(manifests["base"], "NetworkPolicy")["onceonly-postgresql-from-services"]
    (rule,) = postgres["spec"]["ingress"]
    (selector,) = rule["from"]
    (expression,) = selector["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == {
        "onceonly-lookup",
        "onceonly-gateway",
        "onceonly-tracker",
        "onceonly-auditor",
    }


def test_gateway_scales_and_survives_disruption(manifests: Manifests) -> None:
    for overlay in ("base", "production"):
        docs = manifests[overlay]
        hpa = kind(docs, "HorizontalPodAutoscaler")["onceonly-gateway"]
        assert hpa["spec"]["scaleTargetRef"]["name"] == "onceonly-gateway"
        assert "replicas" not in kind(docs, "Deployment")["onceonly-gateway"]["spec"]
        assert set(kind(docs, "PodDisruptionBudget")) == set(SERVICES)
    production = kind(manifests["production"], "HorizontalPodAutoscaler")["onceonly-gateway"]["spec"]
    assert production["minReplicas"] >= 3
    assert (
        kind(manifests["production"], "PodDisruptionBudget")["onceonly-gateway"]["spec"]["minAvailable"] == 2
    )


def test_production_kafka_has_three_brokers_replication_three_min_isr_two(manifests: Manifests) -> None:
    docs = manifests["production"]
    kafka = kind(docs, "Kafka")["onceonly"]
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1beta2"
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/node-pools": "enabled",
        "strimzi.io/kraft": "enabled",
    }
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.min.isr"] == 2
    (pool,) = kind(docs, "KafkaNodePool").values()
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "onceonly"
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}
    topics = {t["spec"]["topicName"]: t for t in kind(docs, "KafkaTopic").values()}
    assert set(topics) == {
        "onceonly.dossier-events.v1",
        "onceonly.dossier-events.v1.dlq",
        "onceonly.audit-checkpoints.v1",
    }
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "onceonly"
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    assert all(doc["metadata"].get("namespace") == "onceonly" for doc in docs if doc["kind"] != "Namespace")


def test_the_services_find_kafka_and_lookup_by_their_service_names(manifests: Manifests) -> None:
    docs = manifests["base"]
    config = kind(docs, "ConfigMap")["onceonly"]["data"]
    kafka_name = next(iter(kind(docs, "Kafka")))
    assert config["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka_name}-kafka-bootstrap:9093"
    host, port = config["ONCEONLY_GATEWAY_LOOKUP_TARGET"].split(":")
    lookup = kind(docs, "Service")[host]
    assert lookup["spec"]["ports"][0]["port"] == int(port)


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_lookup_is_mutual_tls_admitting_only_the_gateway_certificate(
    overlay: str, manifests: Manifests
) -> None:
    docs = manifests[overlay]
    config = kind(docs, "ConfigMap")["onceonly"]["data"]
    assert config["ONCEONLY_LOOKUP_ALLOWED_CLIENTS"] == "gateway"
    certificates = kind(docs, "Certificate")
    assert certificates["onceonly-gateway-lookup-client"]["spec"]["commonName"] == "gateway"
    assert certificates["onceonly-gateway-lookup-client"]["spec"]["usages"] == ["client auth"]
    assert "onceonly-lookup" in certificates["onceonly-lookup-tls"]["spec"]["dnsNames"]
    deployments = kind(docs, "Deployment")
    mounted = {
        name: {
            v["secret"]["secretName"]: m["mountPath"]
            for v in d["spec"]["template"]["spec"]["volumes"]
            if "secret" in v
            for c in d["spec"]["template"]["spec"]["containers"]
            for m in c["volumeMounts"]
            if m["name"] == v["name"]
        }
        for name, d in deployments.items()
    }
    lookup_tls = mounted["onceonly-lookup"]["onceonly-lookup-tls"]
    assert config["ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE"] == f"{lookup_tls}/ca.crt"
    client = mounted["onceonly-gateway"]["onceonly-gateway-lookup-client"]
    assert config["ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE"] == f"{client}/tls.crt"


def test_kafka_authenticates_and_authorizes_each_service(manifests: Manifests) -> None:
    docs = manifests["production"]
    kafka = kind(docs, "Kafka")["onceonly"]["spec"]["kafka"]
    assert kafka["authorization"] == {"type": "simple"}
    for listener in kafka["listeners"]:
        assert listener["tls"] is True
        assert listener["authentication"] == {"type": "scram-sha-512"}
    users = kind(docs, "KafkaUser")
    acls = {
        name: {(a["resource"]["type"], a["resource"]["name"], op) for a in u["spec"]["authorization"]["acls"]
               for op in a["operations"]}
        for name, u in users.items()
    }  # fmt: skip
    events = "onceonly.dossier-events.v1"
    assert ("topic", events, "Write") in acls["onceonly-gateway"]
    assert ("topic", events, "Read") not in acls["onceonly-gateway"]
    assert ("topic", events, "Read") in acls["onceonly-tracker"]
    assert ("topic", events, "Write") not in acls["onceonly-tracker"]
    # The audit checkpoints: the gateway writes them, the auditor reads them and nothing else.
    checkpoints = "onceonly.audit-checkpoints.v1"
    assert {("topic", checkpoints, "Write"), ("topic", checkpoints, "Describe")} <= acls["onceonly-gateway"]
    assert ("topic", checkpoints, "Read") not in acls["onceonly-gateway"]
    assert acls["onceonly-auditor"] == {("topic", checkpoints, "Read"), ("topic", checkpoints, "Describe")}
    assert not {acl for acl in acls["onceonly-tracker"] if acl[1] == checkpoints}
    # Nobody may delete, compact away or re-configure the topic but the cluster's operator.
    for name, granted in acls.items():
        assert not {op for _, _, op in granted} & {"Delete", "Alter", "AlterConfigs", "All"}, name
    config = kind(docs, "ConfigMap")["onceonly"]["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    for name in ("onceonly-gateway", "onceonly-tracker"):
        env = {
            e["name"]: e
            for e in kind(docs, "Deployment")[name]["spec"]["template"]["spec"]["containers"][0]["env"]
        }
        assert env["KAFKA_SASL_USERNAME"]["value"] == name
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": name, "key": "password"}


def test_the_gateway_pod_runs_its_outbox_relay_beside_serving(manifests: Manifests) -> None:
    pod = kind(manifests["base"], "Deployment")["onceonly-gateway"]["spec"]["template"]["spec"]
    gateway, relay = pod["containers"]
    assert (gateway["name"], gateway["args"]) == ("gateway", ["serve", "--no-relay"])
    assert (relay["name"], relay["args"], relay["image"]) == ("relay", ["relay"], gateway["image"])
    env = {e["name"]: e for e in relay["env"]}
    assert env["ONCEONLY_GATEWAY_DATABASE_URL"] in gateway["env"]
    assert env["KAFKA_SASL_PASSWORD"] in gateway["env"]
    # The store and Kafka only: no pseudonym key, no lookup client certificate, no signing key.
    assert "ONCEONLY_PSEUDONYM_KEY" not in env
    assert {m["name"] for m in relay["volumeMounts"]} == {"tmp", "kafka-ca"}


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_each_service_migrates_its_store_before_it_serves(overlay: str, manifests: Manifests) -> None:
    for name, deployment in kind(manifests[overlay], "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        (init,) = pod["initContainers"]
        app = pod["containers"][0]
        # The same release's image and store: the schema the pod starts on is the one its code needs.
        assert init["args"] == ["migrate"], name
        assert init["image"] == app["image"], name
        database = next(e for e in app["env"] if e["name"].endswith("_DATABASE_URL"))
        assert database in init["env"], name
        assert init["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert init["securityContext"]["capabilities"]["drop"] == ["ALL"], name


def _pod_mounts(pod: dict[str, Any], container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Mount path → the volume mounted there."""
    volumes = {v["name"]: v for v in pod["volumes"]}
    return {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_the_gateway_signs_with_a_key_from_a_secret_and_publishes_on_the_compacted_topic(
    overlay: str, manifests: Manifests
) -> None:
    docs = manifests[overlay]
    config = kind(docs, "ConfigMap")["onceonly"]["data"]
    pod = kind(docs, "Deployment")["onceonly-gateway"]["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"gateway", "relay"}
    container = containers["gateway"]
    env = {e["name"]: e for e in container["env"]}
    # The relay sidecar does not mount the signing key.
    assert "/etc/onceonly/audit-signing" not in {m["mountPath"] for m in containers["relay"]["volumeMounts"]}
    # The key file is a path into a mounted Secret, never the key itself.
    key_path = Path(env["ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE"]["value"])
    volume = _pod_mounts(pod, container)[str(key_path.parent)]
    assert volume["secret"]["secretName"] == "onceonly-audit-signing"
    assert volume["secret"]["items"] == [{"key": key_path.name, "path": key_path.name}]
    assert not kind(docs, "Secret")
    # No other pod mounts it: not lookup, not the tracker, not the auditor.
    for name, doc in [*kind(docs, "Deployment").items(), *kind(docs, "CronJob").items()]:
        spec = doc["spec"]["template"]["spec"] if doc["kind"] == "Deployment" else (
            doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        )  # fmt: skip
        secrets = {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
        assert ("onceonly-audit-signing" in secrets) == (name == "onceonly-gateway"), name
    # Replicas share no file: the topic is the publishing path, declared compacted.
    topic = config["ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_TOPIC"]
    assert topic == "onceonly.audit-checkpoints.v1"
    assert "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE" not in config
    assert "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE" not in env
    (declared,) = [t for t in kind(docs, "KafkaTopic").values() if t["spec"]["topicName"] == topic]
    assert declared["spec"]["config"]["cleanup.policy"] == "compact"
    assert "retention.ms" not in declared["spec"]["config"]
    assert declared["spec"]["partitions"] == 1
    if overlay == "production":
        assert declared["spec"]["replicas"] == 3
        assert declared["spec"]["config"]["min.insync.replicas"] == 2


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_the_auditor_job_verifies_from_the_topic_with_the_public_key_only(
    overlay: str, manifests: Manifests
) -> None:
    job = kind(manifests[overlay], "CronJob")["onceonly-audit-verify"]
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    labels = job["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "onceonly-auditor"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    args = container["args"]
    assert args[:2] == ["audit", "verify"]
    assert args[args.index("--checkpoint-topic") + 1] == "onceonly.audit-checkpoints.v1"
    public_key = Path(args[args.index("--public-key") + 1])
    volume = _pod_mounts(pod, container)[str(public_key.parent)]
    assert volume["configMap"]["items"] == [{"key": public_key.name, "path": public_key.name}]
    env = {e["name"]: e for e in container["env"]}
    assert env["KAFKA_SASL_USERNAME"]["value"] == "onceonly-auditor"
    assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "onceonly-auditor",
        "key": "password",
    }
    assert env["ONCEONLY_GATEWAY_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "auditor-database-url"
    assert "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE" not in env
