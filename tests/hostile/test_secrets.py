"""No secret ever shows: a canary secret is planted and searched for in everything hotdsl leaves.

A hidden parameter gets a unique random value (with characters that JSON and repr
escape). The app is synthesized, validated, diffed and deployed against the real
Heat; deployed with a value Heat rejects because of what it is (a number parameter
given the canary: Heat quotes it back in `could not convert string to float: '...'`),
with and without `--debug`; given with `-p`; deployed into a resource that fails at
run time quoting it (events, failures); then events, outputs (one output echoes the
secret), ls and destroy. Every stdout and stderr, every file under the test's folder
(app, out dir, outputs file, HOME and the XDG folders where the key file lives), and
the stacks' tags, parameters, environment and files map as Heat shows them are
searched for the canary's random core (which every escaped form contains) and its
base64 forms.

The digests in the tags are keyed: they change with the key, cannot be recomputed
without it, and diff says "cannot tell" when there is no key, another key, or a tag
of the old unkeyed kind. Synth never writes or shows a hidden parameter's value.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
import stat
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import click
import pytest

from hotdsl import secrets as masking
from hotdsl.deploy.heat import HeatClient, StackRef
from hotdsl.deploy.hidden import DIGEST_TAG_PREFIX, compare_hidden, hidden_digest
from hotdsl.deploy.secret_key import SecretKey

APP = """
from hotdsl import App, Output, Parameter, Stack, Stage, from_env
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
password = Parameter(stack, "db_password")
port = Parameter(stack, "db_port", type="number")
heat.Value(stack, "holder", value=password)
Output(stack, "echo", value=password)
Output(stack, "port", value=port)

broken = Stack(app, "{name}-broken")
secret = Parameter(broken, "db_password")
held = heat.Value(broken, "holder", value=secret)
heat.Value(broken, "as_number", type="number", value=held.attrs.value)

Stage(
    app,
    "dev",
    parameters={{
        password: from_env("CANARY_PASSWORD"),
        port: from_env("CANARY_PORT"),
        secret: from_env("CANARY_PASSWORD"),
    }},
)
"""

DIGEST_APP = """
from hotdsl import App, Parameter, Stack, Stage, from_env
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
password = Parameter(stack, "db_password")
heat.Value(stack, "holder", value=password)
Stage(app, "dev", parameters={{password: from_env("CANARY_PASSWORD")}})
"""


def canary() -> tuple[str, str]:
    """(the secret, its random core): quotes, a backslash and a non-ASCII letter get escaped."""
    core = "cnry" + secrets.token_hex(12)
    return f"{core}\"q'\\é", core


def leak_forms(secret: str, core: str) -> list[str]:
    """What a leak looks like: every escaped form contains the core; base64 forms do not."""
    raw = secret.encode("utf-8")
    return [
        core,
        base64.b64encode(raw).decode()[:24],
        base64.urlsafe_b64encode(raw).decode()[:24],
        base64.b64encode(core.encode()).decode()[:20],
    ]


class Run:
    """Runs `hotdsl` as a user would, with HOME and the XDG folders inside the test's folder,
    and keeps everything it printed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        home = folder / "home"
        self.outputs: list[tuple[str, str]] = []
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        self.env.pop("HOTDSL_SECRET_KEY", None)

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, code: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            timeout=300,
        )
        label = " ".join(args)
        self.outputs += [
            (f"stdout of {label}", result.stdout),
            (f"stderr of {label}", result.stderr),
        ]
        if code is not None and result.returncode != code:
            raise AssertionError(
                f"hotdsl {label} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def written(self) -> Iterator[tuple[str, str]]:
        """Every file under the test's folder, as text (undecodable bytes replaced)."""
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                yield str(path), path.read_bytes().decode("utf-8", errors="replace")


def in_heat(client: HeatClient, name: str) -> list[tuple[str, str]]:
    """What anyone who can read the stack sees of it: tags, parameters, environment, files."""
    ref = client.find_stack(name)
    assert ref is not None
    return [
        (f"{name}'s tags", json.dumps(ref.tags, ensure_ascii=False)),
        (f"{name}'s parameters", json.dumps(ref.parameters, ensure_ascii=False)),
        (f"{name}'s environment", json.dumps(client.environment(ref), ensure_ascii=False)),
        (f"{name}'s files map", json.dumps(client.files(ref), ensure_ascii=False)),
    ]


def assert_no_leak(places: list[tuple[str, str]], forms: list[str]) -> None:
    for where, text in places:
        for form in forms:
            assert form not in text, f"the canary shows in {where}:\n{text}"


@pytest.mark.heat
def test_a_canary_secret_never_shows_in_output_files_or_tags(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("canary")
    broken = f"{name}-broken"
    secret, core = canary()
    (tmp_path / "app.py").write_text(APP.format(name=name), encoding="utf-8")
    run = Run(tmp_path)
    dev = ["--app", "app.py", "--stage", "dev", "--cloud", heat_sandbox.cloud]
    good = {"CANARY_PASSWORD": secret, "CANARY_PORT": "5432"}
    rejected = {"CANARY_PASSWORD": secret, "CANARY_PORT": secret}
    quoted = "could not convert string to float: '******'"

    run("synth", "--app", "app.py")
    run("validate", "--app", "app.py", "--stage", "dev")
    run("diff", *dev, env=good)
    # Heat rejects the value because of what it is, and quotes it back.
    refused = run("deploy", name, *dev, env=rejected, code=1)
    assert quoted in refused.stderr and "Traceback" not in refused.stderr
    debug = run("--debug", "deploy", name, *dev, env=rejected, code=1)
    assert "Traceback" in debug.stderr and quoted in debug.stderr
    deployed = run("deploy", name, *dev, "--outputs-file", "outputs.json", env=good)
    assert f"{name}: created" in deployed.stdout
    assert json.loads((tmp_path / "outputs.json").read_text())[name] == {
        "echo": "******",
        "port": "******",
    }
    assert f"Stack {name}: no differences" in run("diff", name, *dev, env=good).stdout
    # The same rejection of an update: in diff's preview of it, and in deploy.
    assert quoted in run("diff", name, *dev, env=rejected, code=1).stdout  # the preview failed
    as_json = json.loads(run("diff", name, *dev, "--json", env=rejected, code=1).stdout)
    assert as_json["stacks"][0]["preview_error"].endswith(quoted)
    assert quoted in run("deploy", name, *dev, env=rejected, code=1).stderr
    run("--debug", "deploy", name, *dev, env=rejected, code=1)
    run("--debug", "diff", name, *dev, "--fail", env=rejected, code=1)
    # A new value for the hidden parameter on the command line, shown in an approval diff.
    rotated = run(
        "deploy", name, *dev, "-p", f"db_password={core}-rotated", "--require-approval", "--yes",
        env=good,
    )  # fmt: skip
    assert "parameters.db_password" in rotated.stdout and f"{name}: updated" in rotated.stdout
    assert f"{name}: updated" in run("deploy", name, *dev, env=good).stdout
    # A resource that fails at run time, quoting the secret in its events and failure.
    failed = run("deploy", broken, *dev, "--no-rollback", env=good, code=1)
    assert quoted in failed.stderr
    assert quoted in run("events", broken, *dev, env=good).stdout
    run("--debug", "events", broken, *dev, env=good)
    run("events", name, *dev, env=good)
    assert "echo  ******" in run("outputs", name, *dev, env=good).stdout
    run("outputs", *dev, "--json", env=good)
    run("ls", *dev, env=good)

    client = HeatClient(heat_sandbox.conn)
    ref = client.find_stack(name)
    assert ref is not None and any(
        t.startswith(f"{DIGEST_TAG_PREFIX}db_password:") for t in ref.tags
    )
    heat_sees = in_heat(client, name) + in_heat(client, broken)
    run("destroy", *dev, "--yes", env=good)
    assert_no_leak(run.outputs + list(run.written()) + heat_sees, leak_forms(secret, core))


@pytest.mark.heat
def test_digests_are_keyed_and_diff_cannot_tell_without_the_key(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("digest")
    (tmp_path / "app.py").write_text(DIGEST_APP.format(name=name), encoding="utf-8")
    run = Run(tmp_path)
    dev = ["--app", "app.py", "--stage", "dev", "--cloud", heat_sandbox.cloud]
    secret, _core = canary()
    first, second = secrets.token_hex(32), secrets.token_hex(32)
    with_first = {"CANARY_PASSWORD": secret, "HOTDSL_SECRET_KEY": first}
    with_second = {"CANARY_PASSWORD": secret, "HOTDSL_SECRET_KEY": second}
    client = HeatClient(heat_sandbox.conn)

    def digest_tag() -> str:
        ref = client.find_stack(name)
        assert ref is not None
        (tag,) = [t for t in ref.tags if t.startswith(DIGEST_TAG_PREFIX)]
        return tag

    run("deploy", *dev, env=with_first)
    tag = digest_tag()
    digest = tag.rpartition(":")[2]
    assert digest == hidden_digest(SecretKey(first.encode(), "test"), name, "db_password", secret)
    # Without the key, no formula over public names and the value gives the digest.
    unkeyed = [
        hashlib.sha256(f"hotdsl\0{name}\0db_password\0{secret}".encode()).hexdigest(),
        hashlib.sha256(f"hotdsl-hidden\0{name}\0db_password\0{secret}".encode()).hexdigest(),
        hashlib.sha256(secret.encode()).hexdigest(),
    ]
    assert not any(digest.rpartition(".")[2] in candidate for candidate in unkeyed)
    assert f"Stack {name}: no differences" in run("diff", *dev, env=with_first).stdout

    other = run("diff", *dev, "--fail", env=with_second, code=2).stdout
    assert "cannot tell whether db_password changed: it was deployed with another secret key" in (
        other
    )
    nothing = run("diff", *dev, "--json", env={"CANARY_PASSWORD": secret}).stdout
    (change,) = json.loads(nothing)["stacks"][0]["parameters"]
    assert change["note"].startswith("cannot tell whether db_password changed: no secret key")
    assert change["old"] == change["new"] == "******"

    # Deploy with another key updates (it cannot tell) and records digests under that key.
    assert f"{name}: updated" in run("deploy", *dev, env=with_second).stdout
    assert digest_tag() != tag
    assert f"Stack {name}: no differences" in run("diff", *dev, env=with_second).stdout

    # Without the variable, deploy creates a key file of the user's own, mode 0600.
    assert f"{name}: updated" in run("deploy", *dev, env={"CANARY_PASSWORD": secret}).stdout
    key_file = Path(run.env["XDG_CONFIG_HOME"]) / "hotdsl" / "secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    again = run("deploy", *dev, env={"CANARY_PASSWORD": secret}).stdout
    assert f"{name}: unchanged" in again

    # No key at all, and none can be written: a note, and an update every time.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    no_key = {"CANARY_PASSWORD": secret, "XDG_CONFIG_HOME": str(blocked)}
    for _ in range(2):
        result = run("deploy", *dev, env=no_key)
        assert f"{name}: updated" in result.stdout
        assert "note: no secret key" in result.stderr
    run("destroy", *dev, "--yes", env=no_key)


def test_an_unkeyed_digest_of_an_old_tag_is_never_trusted(monkeypatch: Any) -> None:
    monkeypatch.setenv("HOTDSL_SECRET_KEY", "k" * 32)
    old = hashlib.sha256(b"hotdsl\0web\0db_password\0hunter22").hexdigest()[:16]
    deployed = StackRef(
        "web", "id", "CREATE_COMPLETE", tags=(f"{DIGEST_TAG_PREFIX}db_password:{old}",)
    )
    verdict = compare_hidden(deployed, "db_password", "hunter22")
    assert verdict.changed is None and "old, unkeyed kind" in verdict.why


def test_a_digest_changes_with_the_key_and_the_key_id_reveals_nothing() -> None:
    first, second = SecretKey(b"a" * 32, "one"), SecretKey(b"b" * 32, "two")
    assert hidden_digest(first, "s", "p", "v") != hidden_digest(second, "s", "p", "v")
    assert hidden_digest(first, "s", "p", "v") != hidden_digest(first, "s", "p", "w")
    assert first.key_id not in hashlib.sha256(b"a" * 32).hexdigest()
    assert "a" * 32 not in repr(first)


@pytest.fixture
def masked() -> Iterator[None]:
    masking.forget_all()
    yield
    masking.forget_all()


def test_every_form_of_a_secret_is_masked(masked: None) -> None:
    secret = "s3cr\"et'\\é\nline-two"
    masking.register(secret)
    for text in (
        secret,
        json.dumps(secret),
        json.dumps(secret, ensure_ascii=False),
        repr(secret),
        ascii(secret),
        json.dumps(json.dumps({"a": secret})),
        f"could not convert string to float: {secret!r}",
        "https://x/?p=" + urllib.parse.quote(secret, safe=""),
    ):
        shown = masking.mask(text)
        assert "s3cr" not in shown and "line-two" not in shown, shown
        assert "******" in shown
    masking.register(["listed-secret", 12345])
    assert masking.mask_data({"a": 12345, "b": ["listed-secret"], "listed-secret": 1}) == {
        "a": "******",
        "b": ["******"],
        "******": 1,
    }


def test_values_too_short_to_hide_anything_are_not_masked(masked: None) -> None:
    masking.register("ab")
    masking.register("")
    masking.register(True)
    assert masking.mask("about a cab") == "about a cab"


def test_a_masked_stream_masks_a_secret_written_in_pieces_and_has_no_way_around(
    masked: None,
) -> None:
    masking.register("split-secret")
    target = io.StringIO()
    stream = masking.MaskedStream(target)
    stream.write("a split-")
    stream.write("secret here\nand split-sec")
    stream.write("ret there")
    stream.flush()
    assert target.getvalue() == "a ****** here\nand ****** there"
    assert not hasattr(stream, "buffer")
    with pytest.raises(TypeError):
        stream.write(b"bytes")  # type: ignore[arg-type]
    click.echo("the split-secret", file=cast(Any, stream))  # click writes to it, not around it
    assert target.getvalue().endswith("the ******\n")


def test_synth_never_writes_or_shows_a_hidden_value(tmp_path: Path) -> None:
    secret, core = canary()
    literal = f"""
from hotdsl import App, Parameter, Range, Stack, Stage, from_env
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "web")
password = Parameter(stack, "db_password")
heat.Value(stack, "holder", value=password)
Stage(app, "prod", parameters={{password: from_env("DB_PASSWORD")}})
Stage(app, "dev", parameters={{password: {secret!r}}})
"""
    bad_default = f"""
from hotdsl import App, Parameter, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "web")
port = Parameter(stack, "port", type="number", hidden=True, default={secret!r})
heat.Value(stack, "holder", value=port)
"""
    hidden_default = f"""
from hotdsl import App, Parameter, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "web")
password = Parameter(stack, "db_password", hidden=True, default={secret!r})
heat.Value(stack, "holder", value=password)
"""
    outputs: list[tuple[str, str]] = []
    for label, source, code in (
        ("a stage's literal", literal, 1),
        ("an invalid default", bad_default, 1),
        ("a hidden default", hidden_default, 0),
    ):
        folder = tmp_path / label.replace(" ", "-").replace("'", "")
        folder.mkdir()
        (folder / "app.py").write_text(source, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", "synth", "--app", "app.py"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        outputs += [(f"stdout, {label}", result.stdout), (f"stderr, {label}", result.stderr)]
        if label == "a stage's literal":
            assert "stage 'dev' gives the hidden parameter web/db_password a literal value" in (
                result.stderr
            )
            assert "app.py:10" in result.stderr
            assert not (folder / "hot.out").exists()
        if label == "an invalid default":
            assert "default ****** is invalid: a number parameter takes a number, not '******'" in (
                result.stderr
            )
        if label == "a hidden default":
            assert "the hidden parameter has a default, which is written in clear" in result.stderr
    assert_no_leak(outputs, leak_forms(secret, core))


def test_a_broken_environment_file_holding_a_secret_is_a_short_error_without_it(
    tmp_path: Path,
) -> None:
    secret, core = canary()
    (tmp_path / "app.py").write_text(DIGEST_APP.format(name="web"), encoding="utf-8")
    (tmp_path / "extra.yaml").write_text(
        f"parameters:\n  db_password: {json.dumps(secret)}, [\n", encoding="utf-8"
    )
    run = Run(tmp_path)
    result = run("deploy", "--app", "app.py", "-e", "extra.yaml", "--cloud", "nosuch", code=1)
    assert "environment file extra/extra.yaml is not valid YAML (line 2" in result.stderr
    assert "Traceback" not in result.stderr
    run("--debug", "deploy", "--app", "app.py", "-e", "extra.yaml", "--cloud", "nosuch", code=1)
    assert_no_leak(run.outputs, leak_forms(secret, core))
