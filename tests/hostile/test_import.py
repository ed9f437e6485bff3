"""Hostile input to `hotdsl import`: a clean error or a module that compiles, and nothing
read or written outside the folders the user allowed.

Each case lays out a template in `project/`, beside an `outside/` folder holding a
canary secret, and runs the real command line in this process (`hotdsl.cli.main`). An
audit hook records every file the process opens and every network call it makes while
the command runs. Every case must end in either

- one error line on stderr (`error: FILE:LINE: ...` where the template has a line), exit 1,
  and no module written; or
- exit 0 and modules that compile;

and in every case: no file opened outside `project/`, `out/`, the allowed folders and
Python's own; nothing written outside `out/`; no network call; the canary in no output
and no written file. The module's teardown prints how many inputs were tried and how
many ended in a clean error.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import attrs
import pytest

from hotdsl.cli.main import main
from hotdsl.importer.disk import HEAT_MAX_TEMPLATE_SIZE, MAX_FILE_BYTES, MAX_TEMPLATE_BYTES

CANARY = "CANARY-7f3a-secret-from-outside"
HEADER = "heat_template_version: 2018-08-31\n"
NETWORK_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")
TALLY: Counter[str] = Counter()

_recording: list[tuple[str, tuple[object, ...]]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _recording is not None and (event == "open" or event in NETWORK_EVENTS):
        _recording.append((event, args))


sys.addaudithook(_audit)  # process-wide and permanent, but it records only inside `Area.run`

PYTHON_ROOTS = tuple(
    {
        Path(os.path.realpath(p))
        for p in [sys.prefix, sys.base_prefix, *sys.path, str(Path(__file__).resolve().parents[2])]
        if p and Path(p).is_dir()
    }
)
"""Where Python itself reads from (the standard library, site-packages, hotdsl's code)."""


@attrs.define
class Run:
    code: int
    out: str
    err: str
    opened: list[tuple[Path, bool]]
    """Every file opened while the command ran, and whether for writing."""
    network: list[str]
    out_changed: bool
    """Whether anything in out/ was written, replaced or removed."""


@attrs.define
class Area:
    """A test's folders: `project/` (the template's), `outside/` (never to be read), `out/`."""

    root: Path

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def template(self, body: str, relative: str = "t.yaml") -> Path:
        return self.write(relative, HEADER + body)

    def run(self, *args: str, allowed: tuple[Path, ...] = ()) -> Run:
        """Run `hotdsl ARGS` here, and check what every case must hold, whatever its outcome."""
        global _recording
        before, out_before = _snapshot(self.root, skip=self.out), _snapshot(self.out)
        stdout, stderr = io.StringIO(), io.StringIO()
        cwd, argv, bytecode = os.getcwd(), sys.argv, sys.dont_write_bytecode
        os.chdir(self.root)
        sys.argv, sys.dont_write_bytecode = ["hotdsl", *args], True
        _recording = []
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                try:
                    main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
        finally:
            recorded, _recording = _recording, None
            os.chdir(cwd)
            sys.argv, sys.dont_write_bytecode = argv, bytecode
        run = Run(
            code,
            stdout.getvalue(),
            stderr.getvalue(),
            [
                opened
                for event, args in recorded
                if event == "open" and (opened := _opened(args, self.root)) is not None
            ],
            [event for event, _ in recorded if event in NETWORK_EVENTS],
            _snapshot(self.out) != out_before,
        )
        self.check_contained(run, allowed)
        assert _snapshot(self.root, skip=self.out) == before, "a file outside out/ changed"
        assert "Traceback" not in run.out + run.err
        assert CANARY not in run.out + run.err
        for written in _files(self.out):
            assert CANARY.encode() not in written.read_bytes(), written
        TALLY["inputs"] += 1
        return run

    def check_contained(self, run: Run, allowed: tuple[Path, ...]) -> None:
        readable = (self.project, self.out, *allowed)
        for path, writing in run.opened:
            if writing:
                assert path.is_relative_to(self.out), f"wrote {path}"
            elif path.is_relative_to(self.root):
                assert any(path.is_relative_to(r) for r in readable), f"read {path}"
            else:
                assert str(path) not in ("/etc/passwd", "/dev/zero"), f"read {path}"
                assert any(path.is_relative_to(r) for r in PYTHON_ROOTS), f"read {path}"
        assert run.network == [], run.network

    def error(self, run: Run, message: str) -> None:
        """The run ended in one clean error line matching `message`, and wrote no module."""
        assert run.code == 1, (run.out, run.err)
        lines = run.err.splitlines()
        assert len(lines) == 1, run.err
        assert re.match(r"error: " + message, lines[0]), lines[0]
        assert not run.out_changed, "out/ was written despite the error"
        TALLY["clean errors"] += 1

    def ok(self, run: Run, *, exact: bool = True, note: str | None = None) -> None:
        """The run wrote modules that compile (and, if `exact`, that give the template back)."""
        assert run.code == 0, (run.out, run.err)
        modules = list(self.out.rglob("*.py"))
        assert modules
        for module in modules:
            compile(module.read_text(encoding="utf-8"), str(module), "exec")
        if exact:
            assert "round trip: synth gives back the same template" in run.out, run.out + run.err
        if note is not None:
            assert re.search(note, run.out + run.err), run.out + run.err
        TALLY["safe outputs"] += 1


def _opened(args: tuple[object, ...], cwd: Path) -> tuple[Path, bool] | None:
    """The file an `open` audit event opens (None for a descriptor, opened by name before)."""
    path, mode, flags = args[0], args[1], args[2]
    if not isinstance(path, (str, bytes)):
        return None
    if os.fsdecode(path).startswith("<"):
        return None  # a pseudo file name (`<string>`): Python looks for it to quote a SyntaxError
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    )
    return Path(os.path.realpath(cwd / os.fsdecode(path))), writing


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[int, int, str]]:
    found = {}
    for path in root.rglob("*"):
        if skip is not None and path.is_relative_to(skip):
            continue
        info = path.lstat()
        target = os.readlink(path) if path.is_symlink() else ""
        found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns, target)
    return found


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    line = (
        f"hostile import inputs: {TALLY['inputs']} tried, {TALLY['clean errors']} clean "
        f"errors, {TALLY['safe outputs']} safe outputs"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line)


@pytest.fixture()
def area(tmp_path: Path) -> Area:
    area = Area(tmp_path)
    area.project.mkdir()
    area.outside.mkdir()
    (area.outside / "secret").write_text(CANARY + "\n")
    (area.outside / "evil.yaml").write_text(
        HEADER + f"description: {CANARY}\nresources:\n  r: {{type: OS::Heat::None}}\n"
    )
    return area


def value(expression: str) -> str:
    """A resource whose property `value` is `expression` (on line 6 of the template)."""
    return (
        f"resources:\n  r:\n    type: OS::Heat::Value\n    properties:\n      value: {expression}\n"
    )


def run_t(area: Area, *extra: str, allowed: tuple[Path, ...] = ()) -> Run:
    return area.run("import", "project/t.yaml", "-o", "out/t.py", *extra, allowed=allowed)


# --- 1. files outside the template's folder ---------------------------------------------

OUTSIDE = "outside the folders import may read"


@pytest.mark.parametrize(
    ("get_file", "setup"),
    [
        pytest.param("/etc/passwd", None, id="absolute"),
        pytest.param("../outside/secret", None, id="dot-dot"),
        pytest.param("../" * 12 + "etc/passwd", None, id="many-dot-dots"),
        pytest.param("sub/../../outside/secret", None, id="down-then-up"),
        pytest.param(
            "link.sh",
            lambda a: a.project.joinpath("link.sh").symlink_to(a.outside / "secret"),
            id="symlink-to-a-file-outside",
        ),
        pytest.param(
            "outlink/secret",
            lambda a: a.project.joinpath("outlink").symlink_to(a.outside),
            id="through-a-symlinked-folder",
        ),
        pytest.param(
            "dangling.sh",
            lambda a: a.project.joinpath("dangling.sh").symlink_to(a.outside / "nothing-here"),
            id="dangling-symlink-outside",
        ),
        pytest.param(
            "../project-evil/secret",
            lambda a: (
                a.root.joinpath("project-evil").mkdir(),
                a.root.joinpath("project-evil", "secret").write_text(CANARY),
            ),
            id="sibling-sharing-the-name-prefix",
        ),
        pytest.param("/dev/zero", None, id="device"),
    ],
)
def test_get_file_outside_the_folder_is_an_error_at_its_line(
    area: Area, get_file: str, setup: Callable[[Area], object] | None
) -> None:
    if setup is not None:
        setup(area)
    area.template(value(f"{{get_file: '{get_file}'}}"))
    area.error(
        run_t(area), rf"project/t.yaml:6: get_file '{re.escape(get_file)}' resolves to .*{OUTSIDE}"
    )


def test_get_file_outside_imports_with_allow_dir_and_copies_only_what_was_allowed(
    area: Area,
) -> None:
    shared = area.root / "shared"
    shared.mkdir()
    (shared / "boot.sh").write_text("echo boot\n")
    area.template(value("{get_file: ../shared/boot.sh}"))
    run = run_t(area, "--allow-dir", "shared", allowed=(shared,))
    area.ok(run, exact=False, note="still sends it to Heat under its original name")
    assert (area.out / "shared" / "boot.sh").read_text() == "echo boot\n"


def test_allow_dir_allows_that_folder_only(area: Area) -> None:
    (area.outside / "sub").mkdir()
    area.template(value("{get_file: ../outside/secret}"))
    run = run_t(area, "--allow-dir", "outside/sub", allowed=(area.outside / "sub",))
    area.error(run, rf"project/t.yaml:6: get_file '../outside/secret' resolves to .*{OUTSIDE}")


@pytest.mark.parametrize(
    ("get_file", "what"),
    [
        pytest.param("sub", "a folder, not a file", id="folder"),
        pytest.param("sub/", "ends with a slash", id="folder-with-slash"),
        pytest.param(".", "a folder, not a file", id="dot"),
        pytest.param("fifo.sh", "not a regular file", id="fifo"),
        pytest.param("file.sh/", "ends with a slash", id="file-named-like-a-folder"),
        pytest.param("link.sh/", "ends with a slash", id="symlink-outside-named-like-a-folder"),
        pytest.param("loop.sh", r"unreadable \(Too many levels of symbolic links\)", id="loop"),
    ],
)
def test_get_file_of_what_is_not_a_regular_file_is_an_error_and_never_opened(
    area: Area, get_file: str, what: str
) -> None:
    (area.project / "sub").mkdir()
    os.mkfifo(area.project / "fifo.sh")
    (area.project / "file.sh").write_text("echo\n")
    (area.project / "loop.sh").symlink_to("loop2.sh")
    (area.project / "loop2.sh").symlink_to("loop.sh")
    (area.project / "link.sh").symlink_to(area.outside / "secret")
    area.template(value(f"{{get_file: '{get_file}'}}"))
    run = run_t(area)
    area.error(run, rf"project/t.yaml:6: get_file '{re.escape(get_file)}' (is )?{what}")
    assert all(p.name != "fifo.sh" for p, _ in run.opened)


def test_a_device_is_never_opened_even_in_an_allowed_folder(area: Area) -> None:
    area.template(value("{get_file: /dev/zero}"))
    run = run_t(area, "--allow-dir", "/dev", allowed=(Path("/dev"),))
    area.error(run, r"project/t.yaml:6: get_file '/dev/zero' is not a regular file")
    assert Path("/dev/zero") not in [p for p, _ in run.opened]


def test_a_get_file_larger_than_heat_would_take_is_an_error(area: Area) -> None:
    with (area.project / "big.bin").open("wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)
    area.template(value("{get_file: big.bin}"))
    area.error(run_t(area), r"project/t.yaml:6: get_file 'big.bin': it has \d+ bytes or more")


def test_files_inside_the_folder_are_read_however_they_are_named(area: Area) -> None:
    area.write("scripts/boot.sh", "echo boot\n")
    (area.project / "link.sh").symlink_to("scripts/boot.sh")
    absolute = area.project.resolve() / "scripts" / "boot.sh"
    area.template(
        "resources:\n  a:\n    type: OS::Heat::Value\n    properties:\n"
        "      value: {get_file: link.sh}\n"
        f"  b:\n    type: OS::Heat::Value\n    properties:\n      value: {{get_file: '{absolute}'}}\n"
    )
    run = run_t(area)
    area.ok(run, exact=False, note="an absolute path")
    assert (area.out / "link.sh").read_text() == "echo boot\n"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        pytest.param("http://example.com/boot.sh", "fetches nothing from the network", id="http"),
        pytest.param("https://169.254.169.254/latest", "fetches nothing", id="metadata-service"),
        pytest.param("file:///etc/passwd", "reads no URLs, not even local ones", id="file-url"),
    ],
)
def test_a_url_is_never_fetched_and_the_note_says_what_to_do(
    area: Area, url: str, why: str
) -> None:
    area.template(value(f"{{get_file: '{url}'}}"))
    run = run_t(area)
    area.ok(run, note=rf"get_file reads the URL '{re.escape(url)}'; hotdsl {why}.*put the file")


def test_a_template_type_given_as_a_url_is_never_fetched(area: Area) -> None:
    area.template("resources:\n  r:\n    type: https://example.com/evil.yaml\n")
    area.ok(run_t(area), note="the type is the URL 'https://example.com/evil.yaml'")


@pytest.mark.parametrize(
    ("type_name", "setup", "message"),
    [
        pytest.param("../outside/evil.yaml", None, OUTSIDE, id="dot-dot"),
        pytest.param("/etc/evil.yaml", None, OUTSIDE, id="absolute"),
        pytest.param(
            "outlink/evil.yaml",
            lambda a: a.project.joinpath("outlink").symlink_to(a.outside),
            OUTSIDE,
            id="symlinked-folder",
        ),
        pytest.param(
            "link.yaml",
            lambda a: a.project.joinpath("link.yaml").symlink_to(a.outside / "evil.yaml"),
            OUTSIDE,
            id="symlink",
        ),
        pytest.param(
            "dir.yaml",
            lambda a: a.project.joinpath("dir.yaml").mkdir(),
            "a folder, not a file",
            id="folder",
        ),
        pytest.param(
            "fifo.yaml",
            lambda a: os.mkfifo(a.project / "fifo.yaml"),
            "not a regular file",
            id="fifo",
        ),
    ],
)
def test_a_nested_template_outside_or_not_a_file_is_an_error_at_its_line(
    area: Area, type_name: str, setup: Callable[[Area], object] | None, message: str
) -> None:
    if setup is not None:
        setup(area)
    area.template(f"resources:\n  r:\n    type: {type_name}\n")
    area.error(
        run_t(area),
        rf"project/t.yaml:3: the template(?: type)? '{re.escape(type_name)}'.*{message}",
    )


def test_a_file_outside_named_by_a_nested_template_is_an_error_at_its_line(area: Area) -> None:
    area.template("resources:\n  c:\n    type: child.yaml\n", "sub/t.yaml")
    area.write("sub/child.yaml", HEADER + value("{get_file: ../../outside/secret}"))
    run = area.run("import", "project/sub/t.yaml", "-o", "out/t.py")
    area.error(run, rf"project/sub/child.yaml:6: get_file '../../outside/secret' .*{OUTSIDE}")


def test_a_grandchild_outside_is_an_error_in_the_child(area: Area) -> None:
    area.write("child.yaml", HEADER + "resources:\n  g:\n    type: ../outside/evil.yaml\n")
    area.template("resources:\n  c:\n    type: child.yaml\n")
    area.error(
        run_t(area), rf"project/child.yaml:3: the template type '../outside/evil.yaml'.*{OUTSIDE}"
    )


def test_os_heat_stack_reading_a_template_outside_is_an_error(area: Area) -> None:
    area.template(
        "resources:\n  r:\n    type: OS::Heat::Stack\n    properties:\n"
        "      template: {get_file: ../outside/evil.yaml}\n"
    )
    area.error(run_t(area), rf"project/t.yaml:6: get_file '../outside/evil.yaml' .*{OUTSIDE}")


@pytest.mark.parametrize(
    "mapped",
    [
        pytest.param("../outside/evil.yaml", id="dot-dot"),
        pytest.param("/etc/evil.yaml", id="absolute"),
        pytest.param("link.yaml", id="symlink"),
    ],
)
def test_a_registry_entry_outside_is_an_error_at_the_environment_line(
    area: Area, mapped: str
) -> None:
    (area.project / "link.yaml").symlink_to(area.outside / "evil.yaml")
    area.write("env.yaml", f"parameters: {{}}\nresource_registry:\n  My::Evil: {mapped}\n")
    area.template("resources:\n  r:\n    type: My::Evil\n")
    run = run_t(area, "-e", "project/env.yaml")
    area.error(
        run, rf"project/env.yaml:3: the template of 'My::Evil' in resource_registry .*{OUTSIDE}"
    )


def test_an_environment_the_user_names_may_lie_elsewhere(area: Area) -> None:
    envs = area.root / "envs"
    envs.mkdir()
    (envs / "prod.yaml").write_text("parameters:\n  size: large\n")
    area.template("parameters:\n  size: {type: string}\nresources: {r: {type: OS::Heat::None}}\n")
    run = run_t(area, "-e", "envs/prod.yaml", allowed=(envs / "prod.yaml",))
    area.ok(run, exact=False)


# --- 2. modules that do not compile ----------------------------------------------------


def nested(depth: int, open_: str, close: str, leaf: str = "1") -> str:
    return open_ * depth + leaf + close * depth


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param(nested(300, "[", "]"), id="list-300-deep"),
        pytest.param(nested(300, "{a: ", "}"), id="mapping-300-deep"),
        pytest.param(nested(150, "{list_join: ['', [", "]]}", "x"), id="calls-150-deep"),
        pytest.param(nested(101, "[", "]"), id="list-just-too-deep"),
    ],
)
def test_deep_nesting_is_an_error_at_its_line(area: Area, expression: str) -> None:
    area.template(value(expression))
    area.error(run_t(area), r"project/t.yaml:6: the data nests more than 100 levels deep")


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param(nested(94, "[", "]"), id="list-at-the-limit"),
        pytest.param(nested(31, "{list_join: ['', [", "]]}", "x"), id="calls-at-the-limit"),
        pytest.param(nested(94, "{a: ", "}"), id="mapping-at-the-limit"),
    ],
)
def test_nesting_up_to_the_limit_gives_a_module_that_compiles(area: Area, expression: str) -> None:
    area.template(value(expression))
    area.ok(run_t(area))


@pytest.mark.parametrize(
    "child",
    [
        pytest.param("resources: {}\n", id="empty-resources"),
        pytest.param("description: only this\n", id="description-only"),
        pytest.param("", id="nothing-at-all"),
        pytest.param("parameters: {}\nresources: {}\noutputs: {}\n", id="all-empty"),
    ],
)
def test_a_nested_template_with_nothing_in_it_gives_a_module_that_compiles(
    area: Area, child: str
) -> None:
    area.write("child.yaml", HEADER + child)
    area.template("resources:\n  c:\n    type: child.yaml\n")
    area.ok(run_t(area), exact=False)


def test_a_module_that_would_not_compile_is_a_bug_line_and_is_never_written(
    area: Area, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net behind the fixes above: a generator fault (injected) never leaves a
    broken module behind, and the message says it is hotdsl's bug, not the template's."""
    import hotdsl.importer as importer
    from hotdsl.importer.write import GeneratedModule
    from hotdsl.importer.write import write_module as real_write_module

    def broken(*args: object, **kwargs: object) -> GeneratedModule:
        module = real_write_module(*args, **kwargs)  # type: ignore[arg-type]
        return attrs.evolve(module, source=module.source + "def build(self):\n")

    monkeypatch.setattr(importer, "write_module", broken)
    area.template("resources:\n  r: {type: OS::Heat::None}\n")
    area.out.mkdir()
    (area.out / "t.py").write_text("# the user's own module\n")
    run = run_t(area, "--force")
    area.error(
        run,
        r"project/t.yaml: bug: hotdsl import made a module that does not compile "
        r"\(expected an indented block .*\(line \d+ of the module\)\); nothing was written",
    )
    assert (area.out / "t.py").read_text() == "# the user's own module\n"


# --- 3. limits --------------------------------------------------------------------------


def test_a_template_larger_than_heat_would_take_is_refused_before_parsing(area: Area) -> None:
    size = MAX_TEMPLATE_BYTES + 1
    area.template(value("x") + "#" * size + "\n")
    run = run_t(area)
    area.error(
        run,
        rf"project/t.yaml: hotdsl import does not read this file: it has \d+ bytes or more; "
        rf"Heat takes a template of at most {HEAT_MAX_TEMPLATE_SIZE} bytes",
    )


def test_an_environment_or_nested_template_larger_than_heat_would_take_is_refused(
    area: Area,
) -> None:
    area.write("env.yaml", "parameters: {}\n" + "#" * MAX_TEMPLATE_BYTES + "\n")
    area.write("child.yaml", HEADER + "#" * MAX_TEMPLATE_BYTES + "\n")
    area.template("resources:\n  c:\n    type: child.yaml\n")
    area.error(run_t(area, "-e", "project/env.yaml"), r"project/env.yaml: .* bytes or more")
    area.error(run_t(area), r"project/child.yaml: .* bytes or more")


def laughs(levels: int, width: int, leaf: str) -> str:
    lines = [f"    a0: &a0 [{', '.join([leaf] * width)}]"]
    for level in range(1, levels):
        lines.append(f"    a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "resources:\n  r:\n    type: OS::Heat::Value\n    properties:\n      value:\n" + (
        "\n".join("  " + line for line in lines) + "\n"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            laughs(9, 10, "lol"),
            r"project/t.yaml:\d+: the template expands to more "
            r"than \d+ values",
            id="billion-laughs",
        ),
        pytest.param(
            laughs(4, 30, "'" + "x" * 2000 + "'"),
            r"project/t.yaml:\d+: the template "
            r"expands to more than \d+ characters",
            id="aliases-of-a-long-string",
        ),
        pytest.param(
            value("&x [*x]"), r"project/t.yaml:6: the YAML contains itself", id="recursive-alias"
        ),
        pytest.param(
            value("&x {a: [1, *x]}"),
            r"project/t.yaml:6: the YAML contains itself",
            id="recursive-through-a-mapping",
        ),
        pytest.param(
            value("[" + ",".join(["1"] * (HEAT_MAX_TEMPLATE_SIZE // 2 + 1)) + "]"),
            r"project/t.yaml:6: the template expands to more than \d+ values",
            id="too-many-values-without-aliases",
        ),
    ],
)
def test_yaml_bombs_are_refused_before_anything_walks_them(
    area: Area, body: str, message: str
) -> None:
    area.template(body)
    area.error(run_t(area), message)


def test_an_enormous_string_within_the_limit_is_imported(area: Area) -> None:
    area.template(value("'" + "x" * (HEAT_MAX_TEMPLATE_SIZE * 2) + "'"))
    area.ok(run_t(area))


def test_shared_aliases_within_the_limits_are_imported(area: Area) -> None:
    area.template(laughs(2, 5, "lol"))
    area.ok(run_t(area))


# --- 4. conditions Heat takes -----------------------------------------------------------


YAQL_CONDITIONS = [
    "{yaql: {expression: '$.data.n > 0', data: {n: 1}}}",
    "{yaql: {expression: 'true'}}",
    "{yaql: {expression: '$.data.enabled', data: {get_param: d}}}",
    "{yaql: {expression: {get_param: e}, data: {}}}",
    "{yaql: {expression: '$.data.len() = 2', data: [1, 2]}}",
    "{not: {yaql: {expression: '$.data.enabled', data: {get_param: d}}}}",
    "{get_param: [d, enabled]}",
]
"""Conditions Heat takes from 2017-09-01 on (each gives a boolean), some that no typed
function writes."""


@pytest.mark.parametrize("condition", YAQL_CONDITIONS)
def test_a_condition_heat_takes_imports_and_comes_back_equal(area: Area, condition: str) -> None:
    area.template(
        "parameters:\n  d: {type: json, default: {enabled: true}}\n"
        "  e: {type: string, default: 'true'}\n"
        f"conditions:\n  c: {condition}\n"
        f"resources:\n  r:\n    type: OS::Heat::None\n    condition: {condition}\n"
        f"outputs:\n  o:\n    value: 1\n    condition: {condition}\n"
    )
    area.ok(run_t(area))


@pytest.mark.heat
def test_heat_accepts_what_the_yaql_conditions_synthesize_back_to(
    area: Area, heat_validator: Any
) -> None:
    """Heat's own verdict on the conditions above: what synth gives back (the template
    itself, as data) validates, each condition resolved to a boolean."""
    from hotdsl.deploy.validation import validate_out_dir
    from hotdsl.project import load_app
    from hotdsl.synth import synth

    conditions = "".join(f"  c{i}: {c}\n" for i, c in enumerate(YAQL_CONDITIONS))
    resources = "".join(
        f"  r{i}:\n    type: OS::Heat::None\n    condition: {c}\n"
        for i, c in enumerate(YAQL_CONDITIONS)
    )
    area.template(
        "parameters:\n  d: {type: json, default: {enabled: true}}\n"
        "  e: {type: string, default: 'true'}\n"
        f"conditions:\n{conditions}resources:\n{resources}"
        "  all:\n    type: OS::Heat::None\n"
        f"    condition: {{and: [{', '.join(f'c{i}' for i in range(len(YAQL_CONDITIONS)))}]}}\n"
    )
    area.ok(run_t(area))
    out = area.root / "synthesized"
    synth(load_app(str(area.out / "t.py"), area.out), out)
    verdicts = validate_out_dir(heat_validator.conn, out)
    assert verdicts and all(v.ok for v in verdicts), [v.message for v in verdicts]


@pytest.mark.parametrize(
    ("version", "condition", "kind"),
    [
        pytest.param(
            "2016-10-14",
            "{yaql: {expression: 'true', data: {}}}",
            "mapping",
            id="yaql-before-2017-09-01",
        ),
        pytest.param("2018-08-31", "{a: 1}", "mapping", id="plain-mapping"),
        pytest.param("2018-08-31", "[1]", "list", id="list"),
        pytest.param("2018-08-31", "1", "number", id="number"),
        pytest.param("2018-08-31", "null", "null", id="null"),
    ],
)
def test_a_condition_heat_rejects_is_an_error_at_its_line(
    area: Area, version: str, condition: str, kind: str
) -> None:
    area.write(
        "t.yaml",
        f"heat_template_version: {version}\nconditions:\n  c: {condition}\nresources: {{}}\n",
    )
    area.error(run_t(area), rf"project/t.yaml:3: a condition cannot be a {kind}: Heat takes")


# --- hostile bytes, YAML and names ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            bytes(range(256)) * 8,
            r"project/t.yaml:\d+: the file is not UTF-8 text",
            id="binary-garbage",
        ),
        pytest.param(
            HEADER.encode() + b"description: caf\xe9\n",
            r"project/t.yaml:2: the file is not UTF-8 text",
            id="latin-1",
        ),
        pytest.param(
            "\ufeff".encode("utf-16") + HEADER.encode("utf-16-le"),
            r"project/t.yaml:1: the file is not UTF-8 text",
            id="utf-16",
        ),
        pytest.param(
            (HEADER + "resources: {}\n\0\n").encode(),
            r"project/t.yaml:3: YAML error: the character U\+0000 is not allowed",
            id="nul-byte",
        ),
        pytest.param(
            HEADER.encode() + b"resources:\n\tr: {type: OS::Heat::None}\n",
            r"project/t.yaml:3: YAML error",
            id="tab-indent",
        ),
        pytest.param(
            b"- a\n- b\n",
            r"project/t.yaml: not a Heat template: the file is a YAML "
            r"list",
            id="a-list",
        ),
        pytest.param(
            b"just a string\n",
            r"project/t.yaml: not a Heat template: the file is a "
            r"YAML str",
            id="a-scalar",
        ),
        pytest.param(b"", r"project/t.yaml: not a Heat template: the file is empty", id="empty"),
        pytest.param(
            b"null\n", r"project/t.yaml: not a Heat template: the file is empty", id="null"
        ),
        pytest.param(
            b'{"heat_template_version": "2018-08-31", "resources": {"r\\ud800": {}}}',
            r"project/t.yaml: the text '\\ud800' is half of a UTF-16 pair",
            id="json-lone-surrogate",
        ),
        pytest.param(
            ("[" * 5000 + "]" * 5000).encode(), r"project/t.yaml(:1)?: ", id="json-5000-deep"
        ),
    ],
)
def test_bytes_that_are_not_a_template_are_an_error(
    area: Area, content: bytes, message: str
) -> None:
    area.write("t.yaml", content)
    area.error(run_t(area), message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            "resources: !!python/object/apply:os.system ['touch PWNED']\n",
            r"project/t.yaml:2: YAML error: could not determine a constructor for the "
            r"tag 'tag:yaml.org,2002:python/object/apply:os.system'",
            id="python-apply",
        ),
        pytest.param(
            "resources: !!python/name:os.system ''\n",
            r"project/t.yaml:2: YAML error",
            id="python-name",
        ),
        pytest.param(
            "resources: !!python/module:os ''\n",
            r"project/t.yaml:2: YAML error",
            id="python-module",
        ),
        pytest.param(
            value("!!binary aGVsbG8="),
            r"project/t.yaml:6: a value of YAML type binary",
            id="binary-tag",
        ),
        pytest.param(
            value("!!set {a, b}"), r"project/t.yaml:6: a value of YAML type set", id="set-tag"
        ),
        pytest.param(
            value("!!omap [a: 1]"),
            r"project/t.yaml:6: a value of YAML type pair list",
            id="omap-tag",
        ),
        pytest.param(value("!custom x"), r"project/t.yaml:6: YAML error", id="local-tag"),
        pytest.param(
            "resources:\n  ? [a, b]\n  : {type: OS::Heat::None}\n",
            r"project/t.yaml:3: YAML error: .*a key that is a list or a mapping",
            id="list-key",
        ),
        pytest.param(
            "resources:\n  1: {type: OS::Heat::None}\n",
            r"project/t.yaml:3: resource name 1 is a number",
            id="number-key",
        ),
        pytest.param(
            "resources:\n  null: {type: OS::Heat::None}\n",
            r"project/t.yaml:3: resource name None is a null",
            id="null-key",
        ),
        pytest.param(
            "parameters:\n  true: {type: string}\nresources: {}\n",
            r"project/t.yaml:3: parameter name True is a boolean",
            id="boolean-key",
        ),
        pytest.param(
            "resources:\n  r:\n    type: 5\n",
            r"project/t.yaml:\d: resource 'r' needs "
            r"a type",
            id="number-type",
        ),
        pytest.param(
            "resources:\n  r:\n    type: {get_file: /etc/passwd}\n",
            r"project/t.yaml:\d: resource 'r' needs a type",
            id="function-type",
        ),
    ],
)
def test_hostile_yaml_is_an_error_at_its_line_and_runs_nothing(
    area: Area, body: str, message: str
) -> None:
    area.template(body)
    area.error(run_t(area), message)
    assert not (area.root / "PWNED").exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "parameters:\n  class: {type: string, default: x}\n  print: {type: string, default: y}\n"
            "resources:\n"
            "  def: {type: OS::Heat::Value, properties: {value: {get_param: class}}}\n"
            "  list: {type: OS::Heat::Value, properties: {value: {get_attr: [def, value]}}}\n"
            "  __import__: {type: OS::Heat::None}\n  None: {type: OS::Heat::None}\n"
            "  fn: {type: OS::Heat::None}\n  self: {type: OS::Heat::None}\n"
            "  app: {type: OS::Heat::None}\n  Stack: {type: OS::Heat::None}\n"
            "outputs:\n  'True': {value: {get_resource: fn}}\n  lambda: {value: {get_param: print}}\n",
            id="keywords-and-builtins",
        ),
        pytest.param(
            "resources:\n  r: {type: OS::Heat::None}\n  r: {type: OS::Heat::None}\n",
            id="duplicate-keys",
        ),
        pytest.param(
            "resources:\n  base: &b {type: OS::Heat::None}\n  other:\n    <<: *b\n", id="merge-key"
        ),
        pytest.param(
            "resources:\n  ? " + "r" * 20_000 + "\n  : {type: OS::Heat::None}\n", id="enormous-name"
        ),
        pytest.param(value('"\\e[31m red \\x00 nul \\u202e bidi"'), id="control-characters"),
    ],
)
def test_hostile_names_and_values_give_a_module_that_compiles(area: Area, body: str) -> None:
    area.template(body)
    area.ok(run_t(area))


def test_windows_line_ends_and_a_byte_order_mark_are_read(area: Area) -> None:
    area.write(
        "t.yaml",
        ("\ufeff" + HEADER + "resources:\n  r: {type: OS::Heat::None}\n")
        .replace("\n", "\r\n")
        .encode(),
    )
    area.ok(run_t(area))


def test_a_template_that_is_a_fifo_or_a_device_is_never_opened(area: Area) -> None:
    os.mkfifo(area.project / "t.yaml")
    run = run_t(area)
    area.error(run, r"project/t.yaml: hotdsl import does not read this file: it is not a regular")
    assert all(p.name != "t.yaml" for p, _ in run.opened)
    run = area.run("import", "/dev/zero", "-o", "out/t.py")
    area.error(run, r"/dev/zero: hotdsl import does not read this file: it is not a regular")


# --- where the module is written --------------------------------------------------------


def test_an_out_symlink_is_replaced_never_written_through(area: Area) -> None:
    area.template("resources:\n  r: {type: OS::Heat::None}\n")
    area.out.mkdir()
    (area.out / "t.py").symlink_to(area.outside / "secret")
    area.error(run_t(area), r"out/t.py exists; pass --force to overwrite it")
    area.ok(run_t(area, "--force"))
    assert not (area.out / "t.py").is_symlink()
    assert (area.outside / "secret").read_text() == CANARY + "\n"


def test_a_symlinked_folder_in_out_is_never_written_through(area: Area) -> None:
    area.write("scripts/boot.sh", "echo\n")
    area.template(value("{get_file: scripts/boot.sh}"))
    area.out.mkdir()
    (area.out / "scripts").symlink_to(area.outside)
    area.error(run_t(area, "--force"), r"out/scripts leads out of out")
    assert not (area.outside / "boot.sh").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        pytest.param("out", r"out is a folder", id="a-folder"),
        pytest.param("out/file/t.py", r"cannot write out/file/t.py", id="under-a-file"),
    ],
)
def test_an_out_that_cannot_be_written_is_an_error(area: Area, out: str, message: str) -> None:
    area.template("resources:\n  r: {type: OS::Heat::None}\n")
    area.out.mkdir()
    (area.out / "file").write_text("")
    area.error(area.run("import", "project/t.yaml", "-o", out), message)


# --- 5. folder mode ---------------------------------------------------------------------


def test_folder_mode_reports_each_file_as_it_goes_and_survives_a_bug(
    area: Area, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file makes import raise an unexpected exception (injected: hotdsl has no known
    one left); it becomes that file's `bug` line, and every other file is still imported."""
    import hotdsl.importer.survey as survey_module
    from hotdsl.importer import import_template as real_import
    from hotdsl.secrets import MaskedStream

    printed_before_the_last: list[str] = []

    def failing_on_crash(path: Path, *args: object, **kwargs: object) -> object:
        if path.name == "crash.yaml":
            raise RuntimeError("injected fault")
        if path.name == "z_good.yaml":
            stdout: object = sys.stdout
            if isinstance(stdout, MaskedStream):  # the CLI masks secrets in all it prints
                stdout.flush()
                stdout = stdout.stream
            assert isinstance(stdout, io.StringIO)  # the command's output so far
            printed_before_the_last.append(stdout.getvalue())
        return real_import(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(survey_module, "import_template", failing_on_crash)
    area.write("a_good.yaml", HEADER + "resources:\n  r: {type: OS::Heat::None}\n")
    area.write("b_outside.yaml", HEADER + value("{get_file: ../outside/secret}"))
    area.write("crash.yaml", HEADER + "resources:\n  r: {type: OS::Heat::None}\n")
    area.write("d_garbage.yaml", bytes(range(256)))
    area.write("e_deep.yaml", HEADER + value(nested(300, "[", "]")))
    (area.project / "f_link.yaml").symlink_to(area.outside / "evil.yaml")
    os.mkfifo(area.project / "g_fifo.yaml")
    area.write("z_good.yaml", HEADER + "resources:\n  r: {type: OS::Heat::None}\n")
    run = area.run("import", "project", "-o", "out")
    lines = run.out.splitlines()
    assert [re.sub(r"^(\w+): (\S+).*", r"\1 \2", line) for line in lines[:-1]] == [
        "exact a_good.yaml",
        "rejected b_outside.yaml:",
        "bug crash.yaml:",
        "rejected d_garbage.yaml:",
        "rejected e_deep.yaml:",
        "rejected f_link.yaml:",
        "exact z_good.yaml",
    ], run.out
    assert re.match(
        r"bug: crash.yaml: hotdsl failed on this file with RuntimeError at "
        r"test_import.py:\d+: injected fault; please report it",
        lines[2],
    )
    assert OUTSIDE in lines[1] and OUTSIDE in lines[5]
    assert lines[-1] == "2 of 7 templates come back exactly; 1 bug, 4 rejected"
    assert run.code == 1
    assert printed_before_the_last[0].splitlines() == lines[:6]  # each line as it goes
    assert sorted(p.name for p in area.out.rglob("*.py")) == ["a_good.py", "z_good.py"]
    for module in area.out.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    TALLY.update({"inputs": 7, "clean errors": 4, "safe outputs": 2})  # 8 files in all


def test_folder_mode_reads_only_inside_the_folder_and_the_allowed_ones(area: Area) -> None:
    area.write("sub/t.yaml", HEADER + value("{get_file: ../../outside/secret}"))
    area.write("sub/u.yaml", HEADER + value("{get_file: ../common/boot.sh}"))
    area.write("common/boot.sh", "echo\n")
    run = area.run("import", "project", "-o", "out")
    assert run.code == 0, run.err
    assert re.search(rf"rejected: sub/t.yaml: project/sub/t.yaml:6: get_file .*{OUTSIDE}", run.out)
    assert "exact: sub/u.yaml -> out/sub_u/sub_u.py" in run.out
    assert (area.out / "sub_u" / "common" / "boot.sh").read_text() == "echo\n"
    TALLY.update({"inputs": 1, "clean errors": 1, "safe outputs": 1})  # 2 templates in all


# --- shapes Heat accepts, fed something else ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            "resources: {}\noutputs:\n  o:\n    value: 1\n    7: seven\n",
            r"project/t.yaml:6: output 'o' has the key 7, which is not a string",
            id="output-number-key",
        ),
        pytest.param(
            "resources:\n  r:\n    type: OS::Heat::None\n    deletion_policy: {a: 1}\n",
            r"project/t.yaml:5: resource 'r': the deletion_policy must be one of Delete, "
            r"Retain, Snapshot, delete, retain, snapshot or a function that gives one",
            id="deletion-policy-mapping",
        ),
        pytest.param(
            "resources:\n  r:\n    type: OS::Heat::None\n    deletion_policy: [Retain]\n",
            r"project/t.yaml:5: resource 'r': the deletion_policy must be one of",
            id="deletion-policy-list",
        ),
        pytest.param(
            "resources:\n  r:\n    type: OS::Heat::None\n    properties: 12\n",
            r"project/t.yaml:5: the properties of resource 'r' must be a mapping with string "
            r"keys, or a function that gives one, not a number",
            id="properties-number",
        ),
        pytest.param(
            "resources:\n  r:\n    type: OS::Heat::None\n    metadata: text\n",
            r"project/t.yaml:5: the metadata of resource 'r' must be a mapping",
            id="metadata-string",
        ),
        pytest.param(
            "resources:\n  r:\n    type: OS::Heat::Value\n    properties:\n      value:\n"
            "        map_merge: {not_a_function: 1}\n",
            r"project/t.yaml:7: malformed map_merge: write map_merge: \[MAP, MAP, \.\.\.\]",
            id="map-merge-of-a-plain-mapping",
        ),
    ],
)
def test_a_shape_heat_rejects_is_still_an_error_at_its_line(
    area: Area, body: str, message: str
) -> None:
    area.template(body)
    area.error(run_t(area), message)


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"t.yaml": "  b: {type: b.yaml}\n", "b.yaml": "  a: {type: t.yaml}\n"},
            id="two-templates-nest-each-other",
        ),
        pytest.param(
            {
                "t.yaml": "  b: {type: b.yaml}\n",
                "b.yaml": "  c: {type: c.yaml}\n",
                "c.yaml": "  b: {type: ./b.yaml}\n",
            },
            id="a-cycle-through-another-spelling",
        ),
        pytest.param(
            {
                "t.yaml": "  s:\n    type: OS::Heat::Stack\n    properties:\n"
                "      template: {get_file: t.yaml}\n"
            },
            id="os-heat-stack-of-itself",
        ),
    ],
)
def test_templates_that_nest_each_other_give_a_module_that_runs(
    area: Area, files: dict[str, str]
) -> None:
    """Heat rejects them (too deep); the import must still end, with a module that runs:
    a child stack class builds its children when made, so none of the cycle is one."""
    for name, resources in files.items():
        area.write(name, HEADER + "resources:\n" + resources)
    run = run_t(area)
    area.ok(run, exact=False)
    assert "the module does not run" not in run.err, run.err
