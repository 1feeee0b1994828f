"""The Dockerfile and compose.yaml, read as an operator would (no Docker engine here).

Every command they run must be one the CLI parses, every CAPEXIT_* variable a setting,
the runtime image free of test and lint tools, and the deployment's order (migrate once
with the owner role, then the reference data, then the replicas) what docs/operations.md
says.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url

from capacity_exit.cli import build_parser
from capacity_exit.core.health import router as health_router
from capacity_exit.models import metadata
from tests.fixtures.settings import variables

ROOT = Path(__file__).resolve().parent.parent
# The image's own command; any other (postgres, nginx, psql) is another image's.
CLI = "capacity-exit"
DEV_TOOLS = {"pytest", "mypy", "ruff", "schemathesis", "import-linter", "hypothesis"}
SECRETS_DIR = "/run/secrets/"


def setting_names() -> set[str]:
    """The environment variables Settings reads (DATABASE_URL and CAPEXIT_*)."""
    return set(variables())


def assert_cli_parses(argv: list[str]) -> None:
    """`capacity-exit ARGV` names a subcommand and flags the parser has."""
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse's way of refusing
        pytest.fail(f"`{CLI} {' '.join(argv)}` is not a command the CLI has ({exc})")


# -- The Dockerfile ------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str


def dockerfile_stages() -> dict[str, list[Instruction]]:
    """Each stage's instructions (continuations joined, comments dropped), by its name."""
    logical: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: dict[str, list[Instruction]] = {}
    current: list[Instruction] = []
    for line in logical:
        keyword, _, argument = line.partition(" ")
        if keyword.upper() == "FROM":
            name = argument.split()[-1] if " AS " in argument.upper() else str(len(stages))
            current = stages.setdefault(name, [])
        current.append(Instruction(keyword.upper(), argument.strip()))
    return stages


def runtime_stage() -> list[Instruction]:
    return list(dockerfile_stages().values())[-1]


def only(stage: list[Instruction], keyword: str) -> str:
    found = [i.argument for i in stage if i.keyword == keyword]
    assert len(found) == 1, f"the runtime stage has {len(found)} {keyword} instructions"
    return found[0]


def exec_form(argument: str) -> list[str]:
    """A JSON array of strings (exec form), or the test fails."""
    try:
        argv = json.loads(argument)
    except json.JSONDecodeError:
        pytest.fail(f"shell form, not exec form: {argument}")
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), argument
    return argv


def lock_pins(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, _, version = line.partition("==")
            pins[canonicalize_name(package)] = version
    return pins


def dev_only_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    dev = project["optional-dependencies"]["dev"]
    names = {canonicalize_name(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]) for line in dev}
    return names | {canonicalize_name(tool) for tool in DEV_TOOLS}


def test_the_image_starts_the_server_in_exec_form() -> None:
    stage = runtime_stage()
    entrypoint = exec_form(only(stage, "ENTRYPOINT"))
    command = exec_form(only(stage, "CMD"))
    assert entrypoint == [CLI]
    assert command[0] == "serve"
    assert_cli_parses(command)
    # No shell anywhere between docker stop's SIGTERM and the server.
    assert not {"sh", "bash", "/bin/sh", "-c"} & set(entrypoint + command)


def test_the_image_runs_as_a_user_of_its_own() -> None:
    stage = runtime_stage()
    user = only(stage, "USER")
    assert user not in {"root", "0"} and not user.startswith("0:")
    # The user is set before the command it runs.
    keywords = [i.keyword for i in stage]
    assert keywords.index("USER") < keywords.index("CMD")


def test_the_healthcheck_asks_the_health_route_without_curl() -> None:
    argument = only(runtime_stage(), "HEALTHCHECK")
    options, _, command = argument.partition("CMD ")
    argv = exec_form(command)
    assert argv[:2] == ["python", "-c"]
    assert not re.search(r"\b(curl|wget)\b", argument)
    paths = {getattr(route, "path", None) for route in health_router.routes}
    probed = re.findall(r"http://127\.0\.0\.1:8000(/\w+)", argv[2])
    assert probed and set(probed) <= paths
    assert "--timeout=" in options


def test_the_image_sets_only_real_settings() -> None:
    names = setting_names()
    for instruction in runtime_stage():
        if instruction.keyword != "ENV":
            continue
        for pair in shlex.split(instruction.argument):
            variable = pair.partition("=")[0]
            if variable.startswith("CAPEXIT_") or variable == "DATABASE_URL":
                assert variable in names, f"the Dockerfile sets {variable}, no setting"


def test_the_runtime_stage_installs_the_runtime_lock_only() -> None:
    text = "\n".join(i.argument for stage in dockerfile_stages().values() for i in stage)
    # The full lock (test and lint tools) never enters the image's build.
    assert not re.search(r"(?<![-\w])requirements\.lock", text)
    runs = " ".join(i.argument for i in runtime_stage() if i.keyword == "RUN")
    assert "requirements-runtime.lock" in runs and "--no-deps" in runs
    for tool in DEV_TOOLS:
        assert not re.search(rf"(?<![-\w]){re.escape(tool)}(?![-\w])", runs), tool


def test_the_runtime_lock_holds_no_test_or_lint_tool() -> None:
    runtime = lock_pins("requirements-runtime.lock")
    assert not set(runtime) & dev_only_packages()


def _runtime_roots() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0] for line in project["dependencies"]]


def test_the_two_locks_agree_on_shared_pins() -> None:
    full, runtime = lock_pins("requirements.lock"), lock_pins("requirements-runtime.lock")
    assert set(runtime) <= set(full)
    assert {name: runtime[name] for name in runtime} == {name: full[name] for name in runtime}
    assert {canonicalize_name(name) for name in _runtime_roots()} <= set(runtime)


def test_the_runtime_lock_is_what_pyproject_needs() -> None:
    """It is generated (scripts/runtime_lock.py, `make lock`), never edited by hand."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "runtime_lock.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# -- compose.yaml --------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    assert isinstance(document, dict)
    return document


def services() -> dict[str, dict[str, Any]]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def app_services() -> dict[str, dict[str, Any]]:
    """The services that run this project's image (its build context is the repository)."""
    return {name: s for name, s in services().items() if s.get("build") == "."}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping, so that anchors merge"
    return {str(k): str(v) for k, v in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in (service.get("depends_on") or {}).items()}


def test_every_command_compose_runs_is_a_cli_command() -> None:
    apps = app_services()
    assert {"migrate", "seed", "api", "worker"} <= set(apps)
    for name, service in apps.items():
        command = service.get("command")
        assert isinstance(command, list), f"{name}: command in exec form (a list)"
        assert_cli_parses(command)


def test_every_capexit_variable_compose_sets_is_a_setting() -> None:
    names = setting_names()
    for name, service in app_services().items():
        for variable in environment(service):
            if variable.startswith("CAPEXIT_") or variable == "DATABASE_URL":
                assert variable in names, f"{name} sets {variable}, no setting"
    # Interpolated from the host (.env) too: a CAPEXIT_ name there must be a setting.
    text = (ROOT / "compose.yaml").read_text("utf-8")
    for variable in re.findall(r"\$\{(CAPEXIT_\w+)", text):
        assert variable in names, variable


def test_the_schema_is_migrated_once_with_the_owner_role_before_any_replica() -> None:
    apps = app_services()
    migrate = apps["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert make_url(environment(migrate)["DATABASE_URL"]).username == "capexit_owner"
    assert depends_on(migrate) == {"db": "service_healthy"}
    for name, service in apps.items():
        if name != "migrate":
            assert "migrate" not in service["command"], f"{name} migrates"
            assert make_url(environment(service)["DATABASE_URL"]).username == "capexit_app"


def test_the_reference_data_is_seeded_before_the_replicas_start() -> None:
    everything = services()
    seed = everything["seed"]
    assert seed["command"] == ["seed"]  # the reference data only: never --demo
    # db healthy -> migrate -> grants -> seed -> api, worker: each step waits for the last.
    assert depends_on(everything["db-grants"]) == {"migrate": "service_completed_successfully"}
    assert depends_on(seed) == {"db-grants": "service_completed_successfully"}
    for name in ("api", "worker"):
        assert depends_on(everything[name]) == {"seed": "service_completed_successfully"}


def test_two_api_replicas_and_two_workers() -> None:
    apps = app_services()
    assert apps["api"]["command"][0] == "serve"
    assert apps["worker"]["command"][0] == "worker"
    for name in ("api", "worker"):
        assert apps[name]["deploy"]["replicas"] == 2
        assert apps[name]["init"] is True  # signals reach capacity-exit, children are reaped
    # Only the proxy publishes a port: the replicas share it.
    published = [name for name, s in services().items() if s.get("ports")]
    assert published == ["proxy"]


def test_the_api_believes_forwarded_headers_from_the_proxy_only() -> None:
    everything = services()
    proxy_address = everything["proxy"]["networks"]["edge"]["ipv4_address"]
    assert environment(everything["api"])["CAPEXIT_TRUSTED_PROXIES"] == proxy_address
    subnet = compose()["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)


def test_secrets_are_files_never_inline() -> None:
    declared = compose()["secrets"]
    for name, spec in declared.items():
        assert set(spec) == {"file"} and spec["file"].startswith("./deploy/secrets/"), name
    for name, service in services().items():
        granted = set(service.get("secrets") or [])
        assert granted <= set(declared), name
        for variable, value in environment(service).items():
            if variable == "DATABASE_URL":
                assert make_url(value).password is None, f"{name}: a password in DATABASE_URL"
            if "PASSWORD" in variable or "SECRET" in variable or "TOKEN" in variable:
                assert variable.endswith("_FILE"), f"{name} sets {variable} inline"
            if value.startswith(SECRETS_DIR):
                secret = value.removeprefix(SECRETS_DIR)
                assert secret in granted, f"{name}: {variable} names {secret}, not granted"
    # Production refuses to start without these (config.check_production_ready).
    api = environment(services()["api"])
    for variable in (
        "CAPEXIT_JWT_SIGNING_KEY_FILE",
        "CAPEXIT_AUDIT_KEY_FILE",
        "CAPEXIT_REPORT_CONTACT_KEY_FILE",
        "CAPEXIT_CREDIT_TARGETS_FILE",
        "CAPEXIT_REPORT_CHALLENGE_KEY_FILE",
        "CAPEXIT_DATABASE_PASSWORD_FILE",
    ):
        assert api[variable].startswith(SECRETS_DIR), variable
    assert api["CAPEXIT_ENV"] == "production"


def var_dir() -> str:
    """The image's CAPEXIT_VAR_DIR."""
    return next(
        pair.partition("=")[2]
        for i in runtime_stage()
        if i.keyword == "ENV"
        for pair in shlex.split(i.argument)
        if pair.startswith("CAPEXIT_VAR_DIR=")
    )


def test_the_database_and_the_witness_file_live_on_volumes() -> None:
    everything = services()
    volumes = set(compose()["volumes"])
    mounts = {name: s.get("volumes") or [] for name, s in everything.items()}
    assert "db-data:/var/lib/postgresql/data" in mounts["db"]
    # The workers sign checkpoints; the witness file defaults to <var dir>/audit-witness.jsonl.
    worker_volumes = {m.split(":")[0] for m in mounts["worker"] if m.split(":")[1] == var_dir()}
    assert worker_volumes and worker_volumes <= volumes
    assert "CAPEXIT_AUDIT_WITNESS_FILE" not in environment(everything["worker"])


def test_both_api_replicas_keep_evidence_on_one_volume() -> None:
    """The root filesystem is read-only and each replica its own container: evidence
    written to the local store must land on a volume every replica mounts."""
    api = services()["api"]
    assert api["read_only"] is True  # from the x-app anchor: nothing persists without one
    store = environment(api).get("CAPEXIT_EVIDENCE_STORE", "local")
    if store == "s3":
        return
    evidence_dir = environment(api).get("CAPEXIT_EVIDENCE_DIR") or f"{var_dir()}/evidence"
    mounted = {m.split(":")[1]: m.split(":")[0] for m in api.get("volumes") or []}
    assert mounted.get(evidence_dir) in set(compose()["volumes"])
    # A fresh named volume takes the owner of the image's directory: the image makes it.
    made = " ".join(i.argument for i in runtime_stage() if i.keyword == "RUN")
    assert f"install -d -o capexit -g capexit -m 0700 {evidence_dir}" in made


def test_the_grants_after_migrating_name_real_tables() -> None:
    sql = (ROOT / "deploy" / "postgres" / "after-migrate.sql").read_text("utf-8")
    named = {
        table.strip()
        for statement in re.findall(r"REVOKE .+? ON (.+?) FROM", sql)
        for table in statement.split(",")
    }
    assert named == {"audit_events", "audit_checkpoints", "alembic_version"}
    assert named - {"alembic_version"} <= set(metadata.tables)
    volume = services()["db-grants"]["volumes"][0]
    assert volume.startswith("./deploy/postgres/after-migrate.sql:")


def test_the_commands_operations_md_gives_exist() -> None:
    """`docker compose run --rm SERVICE ARGS` and `docker run IMAGE ARGS` in the docs."""
    text = (ROOT / "docs" / "operations.md").read_text("utf-8")
    everything = services()
    joined = text.replace("\\\n", " ")  # a shell line continued
    given = re.findall(r"docker compose run --rm (?:--no-deps )?([\w-]+)([^`\n]*)", joined)
    assert given
    for service, rest in given:
        assert service in everything, service
        if rest.strip():
            assert service in app_services(), f"{service} does not run {CLI}"
            assert_cli_parses(shlex.split(rest, comments=True))
    for rest in re.findall(r"docker run IMAGE ([^`\n]*)", joined):
        assert_cli_parses(shlex.split(rest, comments=True))
