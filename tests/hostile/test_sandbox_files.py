"""The sandbox's own files: it keeps secrets private and touches the user's clouds.yaml gently.

`hotdsl sandbox start` edits the user's clouds.yaml, which may hold a production
password: the file keeps its mode (a new one is 0600, and so is the copy kept as
`.orig`), a symlinked clouds.yaml is edited where the link points and stays a link, a
failed write leaves the file as it was and no temporary file behind, and an odd file
(a folder, binary, not a mapping) is one short error. The sandbox's home is 0700 and
every file in it 0600 (the database holds hidden parameters in clear, heat.conf the
key that encrypts stored secrets), files an older version left open included. And
a server killed in the middle of a create leaves no stack stuck IN_PROGRESS: the next
start marks it FAILED, as Heat does after an engine died, and the stack can be
deleted.
"""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from hotdsl.errors import HotdslError
from hotdsl.sandbox import CLOUD_NAME, Sandbox, SandboxInfo, SandboxLayout, write_cloud_entry
from hotdsl.sandbox.config import write_config

from ..conftest import HEAT_VENV, HeatSandbox

PASSWORD = "canary-prod-password-5f1e"
PRODUCTION = f"clouds:\n  prod:\n    auth:\n      auth_url: https://keystone.example\n      password: {PASSWORD}\n"


def _info(port: int = 8004) -> SandboxInfo:
    url = f"http://127.0.0.1:{port}"
    return SandboxInfo(url, f"{url}/v1/admin", "127.0.0.1", port, 1, "27.0.1", Path("/nowhere"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def clouds_of(path: Path) -> dict[str, Any]:
    clouds: dict[str, Any] = yaml.safe_load(path.read_text())["clouds"]
    return clouds


@pytest.fixture
def open_umask() -> Any:
    """A umask that would give new files 0644, as most users have."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# --- clouds.yaml ---------------------------------------------------------------------------


@pytest.mark.parametrize("original_mode", [0o600, 0o640, 0o400])
def test_an_existing_clouds_yaml_keeps_its_mode_and_so_does_its_copy(
    tmp_path: Path, original_mode: int, open_umask: None
) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(PRODUCTION)
    path.chmod(original_mode)
    write_cloud_entry(_info(), path=path)
    assert mode(path) == original_mode
    assert mode(tmp_path / "clouds.yaml.orig") == original_mode
    assert (tmp_path / "clouds.yaml.orig").read_text() == PRODUCTION
    assert clouds_of(path)["prod"]["auth"]["password"] == PASSWORD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clouds.yaml", "clouds.yaml.orig"]


def test_a_new_clouds_yaml_is_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "config" / "openstack" / "clouds.yaml"
    assert write_cloud_entry(_info(), path=path) == path
    assert mode(path) == 0o600
    assert list(clouds_of(path)) == [CLOUD_NAME]
    assert not (path.parent / "clouds.yaml.orig").exists(), "nothing of the user's to keep"


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_symlinked_clouds_yaml_is_edited_where_it_points(
    tmp_path: Path, relative: bool, open_umask: None
) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "clouds.yaml"
    real.write_text(PRODUCTION)
    real.chmod(0o600)
    config = tmp_path / "config"
    config.mkdir()
    link = config / "clouds.yaml"
    link.symlink_to(Path("../dotfiles/clouds.yaml") if relative else real)
    pointed = os.readlink(link)

    assert write_cloud_entry(_info(9001), path=link) == link
    assert link.is_symlink() and os.readlink(link) == pointed, "the link stays as it was"
    assert list(config.iterdir()) == [link], "no copy or temporary file beside the link"
    assert mode(real) == 0o600
    assert set(clouds_of(real)) == {"prod", CLOUD_NAME}
    assert (dotfiles / "clouds.yaml.orig").read_text() == PRODUCTION
    assert mode(dotfiles / "clouds.yaml.orig") == 0o600


def test_a_chain_of_links_and_a_dangling_link_are_followed_to_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(PRODUCTION)
    middle = tmp_path / "middle.yaml"
    middle.symlink_to(real)
    link = tmp_path / "clouds.yaml"
    link.symlink_to(middle)
    write_cloud_entry(_info(), path=link)
    assert link.is_symlink() and middle.is_symlink()
    assert set(clouds_of(real)) == {"prod", CLOUD_NAME}

    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "not-yet.yaml")
    write_cloud_entry(_info(), path=dangling)
    assert dangling.is_symlink()
    assert mode(tmp_path / "not-yet.yaml") == 0o600
    assert list(clouds_of(tmp_path / "not-yet.yaml")) == [CLOUD_NAME]


def test_a_failed_write_leaves_the_file_as_it_was_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(PRODUCTION)
    path.chmod(0o600)

    def disk_full(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(HotdslError) as caught:
        write_cloud_entry(_info(), path=path)
    message = str(caught.value)
    assert message.startswith(f"cannot write {path} (No space left on device)")
    assert "\n" not in message and PASSWORD not in message
    assert path.read_text() == PRODUCTION and mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clouds.yaml"]


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00binary", b"- just\n- a list\n", b"clouds: [1, 2]\n", b"clouds: {\n"],
    ids=["binary", "a-list", "clouds-a-list", "bad-yaml"],
)
def test_an_odd_clouds_yaml_is_one_short_error_and_is_left_alone(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_bytes(content)
    with pytest.raises(HotdslError) as caught:
        write_cloud_entry(_info(), path=path)
    assert str(path) in str(caught.value)
    assert "Traceback" not in str(caught.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clouds.yaml"]


def test_a_clouds_yaml_that_is_a_folder_is_one_short_error(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.mkdir()
    with pytest.raises(HotdslError, match=r"cannot read .*clouds\.yaml \(Is a directory\)"):
        write_cloud_entry(_info(), path=path)
    assert path.is_dir() and list(path.iterdir()) == []


# --- the sandbox home ------------------------------------------------------------------------


def test_config_files_are_written_private(tmp_path: Path, open_umask: None) -> None:
    layout = SandboxLayout(home=tmp_path / "home", venv=tmp_path / "venv")
    layout.make_private()
    write_config(layout, standins=True)
    assert mode(layout.heat_conf) == 0o600
    assert mode(layout.run_dir / "auth-encryption-key") == 0o600
    assert mode(layout.home) == mode(layout.run_dir) == 0o700


def test_files_an_older_sandbox_left_open_are_made_private(
    tmp_path: Path, open_umask: None
) -> None:
    layout = SandboxLayout(home=tmp_path / "home", venv=tmp_path / "venv")
    (layout.run_dir / "standins").mkdir(parents=True)
    for folder in (layout.home, layout.run_dir, layout.run_dir / "standins"):
        folder.chmod(0o755)
    for path in (layout.database, layout.heat_conf, layout.run_dir / "standins" / "x.yaml"):
        path.write_text("old")
        path.chmod(0o644)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the sandbox's")
    outside.chmod(0o644)
    (layout.run_dir / "link").symlink_to(outside)

    layout.make_private()
    for folder in (layout.home, layout.run_dir, layout.run_dir / "standins"):
        assert mode(folder) == 0o700, folder
    for path in (layout.database, layout.heat_conf, layout.run_dir / "standins" / "x.yaml"):
        assert mode(path) == 0o600, path
    assert mode(outside) == 0o644, "a link in the run dir is not followed"


def assert_private(home: Path) -> None:
    assert mode(home) == 0o700
    seen = set()
    for root, folders, files in os.walk(home):
        for name in folders:
            assert mode(Path(root, name)) == 0o700, Path(root, name)
        for name in files:
            path = Path(root, name)
            assert mode(path) == 0o600, path
            seen.add(path.name)
    assert {"heat.sqlite", "heat.conf", "heat.log", "auth-encryption-key"} <= seen, seen
    assert {"noauth-token.json", "server.json", "server.out", "sandbox.lock"} <= seen, seen


@pytest.mark.heat
def test_a_running_sandbox_keeps_every_file_private(heat_sandbox: HeatSandbox) -> None:
    heat_sandbox.create({"heat_template_version": "2021-04-16", "resources": {}})
    assert_private(heat_sandbox.sandbox.layout.home)


# --- a server killed mid-create ----------------------------------------------------------------

WAITING: dict[str, Any] = {
    "heat_template_version": "2021-04-16",
    "resources": {
        "handle": {"type": "OS::Heat::WaitConditionHandle"},
        "wait": {
            "type": "OS::Heat::WaitCondition",
            "properties": {"handle": {"get_resource": "handle"}, "timeout": 3600},
        },
    },
}
"""A wait condition that nobody signals: its create runs until the stack times out."""
NESTED = {**WAITING, "resources": {**WAITING["resources"], "inner": {"type": "child.yaml"}}}


def wait_until(check: Any, what: str, attempts: int = 600) -> None:
    """Poll `check` every 0.1 s; fail naming `what` after `attempts` (no speed is asserted)."""
    for _ in range(attempts):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.mark.heat
def test_a_stack_left_in_progress_by_a_killed_server_is_failed_at_the_next_start(
    tmp_path: Path, open_umask: None
) -> None:
    home = tmp_path / "home"
    sandbox = Sandbox(SandboxLayout(home=home, venv=HEAT_VENV), standins=False)
    info = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
    try:
        conn = info.connect()
        stack = conn.orchestration.create_stack(
            name="orphan", template=NESTED, files={"child.yaml": yaml.safe_dump(WAITING)}
        )

        def statuses() -> dict[str, str]:
            """Each resource's status, those of the nested stack as `inner.NAME`."""
            top = {r.name: r for r in conn.orchestration.resources(stack)}
            found = {name: r.status for name, r in top.items()}
            if "inner" in top and top["inner"].physical_resource_id:
                nested = conn.orchestration.get_stack(top["inner"].physical_resource_id)
                for r in conn.orchestration.resources(nested):
                    found[f"inner.{r.name}"] = r.status
            return found

        def both_waits_started() -> bool:
            current = statuses()
            return current.get("wait") == current.get("inner.wait") == "CREATE_IN_PROGRESS"

        wait_until(both_waits_started, "the wait conditions (stack and nested stack) to start")
        os.kill(info.pid, signal.SIGKILL)
        assert sandbox._process is not None
        assert sandbox._process.wait(timeout=60) == -signal.SIGKILL
        assert sandbox.status() is None

        again = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
        assert again.pid != info.pid
        conn = again.connect()
        current = conn.orchestration.get_stack(stack.id)
        assert current.status == "CREATE_FAILED"
        assert current.status_reason == "Engine went down during stack CREATE"
        assert statuses() == {
            "handle": "CREATE_COMPLETE",
            "wait": "CREATE_FAILED",
            "inner": "CREATE_FAILED",
            "inner.handle": "CREATE_COMPLETE",
            "inner.wait": "CREATE_FAILED",
        }
        resources = {r.name: r for r in conn.orchestration.resources(current)}
        assert resources["wait"].status_reason == "Engine went down during stack CREATE"
        nested = conn.orchestration.get_stack(resources["inner"].physical_resource_id)
        assert nested.status == "CREATE_FAILED"
        assert "orphan (CREATE) was in progress" in sandbox.layout.server_log.read_text()
        assert_private(home)

        conn.orchestration.delete_stack(current)
        conn.orchestration.wait_for_delete(current, interval=0.2, wait=120)
        assert conn.orchestration.find_stack("orphan") is None, "no lock of the dead engine stays"
    finally:
        sandbox.stop()
