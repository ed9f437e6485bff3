"""Hostile input to `hotdsl graph`: every case ends in a clean error or safe output.

Names chosen to break the output (quotes, brackets, `-->`, `end`, `%%`, `#`, markup,
backslashes, newlines, bidi overrides, zero-width characters, emoji, very long names) as
resource, type, attribute, parameter, output and stack names: the Mermaid, DOT and JSON
still pass their grammar checks (and Graphviz, where installed), and every id is plain
ASCII. Out dirs planted by a pull request: templates that contain themselves or each
other, nest past any sane depth, alias one list a billion times, are not YAML, not UTF-8,
not mappings, symlinks, or paths outside the out dir: `hotdsl graph` answers with one
`error:` line or a graph, never a traceback, and never writes into the out dir.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotdsl.errors import HotdslError
from hotdsl.graph import draw, read_graph
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.manifest import Manifest, StackEntry

from ..graph_syntax import check_dot, check_graph_json, check_mermaid

HOSTILE_NAMES = [
    'say "hi"',
    "a] --> b[",
    'x"] --> evil["y',
    "end",
    "subgraph",
    "%% comment",
    "#quot;",
    "a;b",
    "<script>alert(1)</script>",
    "back\\slash\\n",
    "line\nbreak",
    "tab\there",
    "right\u202eleft",
    "zero\u200bwidth",
    "caf\u00e9 \u6f22\u5b57 \U0001f680",
    "{{hex}}",
    "[/para/]",
    "(stadium)",
    "|pipe|",
    "-.->",
    "==>",
    "class",
    "a.b.c",
    "..",
    "x" * 300,
]


def hostile_template(names: list[str]) -> dict[str, object]:
    resources: dict[str, object] = {}
    outputs: dict[str, object] = {}
    parameters: dict[str, object] = {}
    previous: str | None = None
    for name in names:
        parameters[f"p {name}"] = {"type": "string"}
        body: dict[str, object] = {
            "type": f"OS::{name}::Thing",
            "properties": {"value": {"get_param": f"p {name}"}},
        }
        if previous is not None:
            body["properties"] = {
                "value": {"get_param": f"p {name}"},
                "other": {"get_attr": [previous, name, 0]},
                "ref": {"get_resource": previous},
            }
            body["depends_on"] = [previous]
        resources[name] = body
        outputs[f"out {name}"] = {"value": {"get_attr": [name, name]}}
        previous = name
    return {
        "heat_template_version": "2021-04-16",
        "parameters": parameters,
        "resources": resources,
        "outputs": outputs,
    }


def out_dir_with(folder: Path, stacks: dict[str, tuple[str, dict[str, str]]]) -> Path:
    """manifest.json for stacks given as name -> (template path, files map); files are written
    by the caller."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = tuple(
        StackEntry(name=name, path=name, template=template, files=files)
        for name, (template, files) in stacks.items()
    )
    (folder / "manifest.json").write_text(Manifest(entries).to_json(), encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of `folder`: contents (of a regular file) and modification time."""
    return {
        p.relative_to(folder).as_posix(): (
            p.read_bytes() if p.is_file() and not p.is_symlink() else b"",
            p.lstat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
    }


def assert_safe_output(out: Path) -> None:
    before = snapshot(out)
    mermaid = draw(out)
    check_mermaid(mermaid)
    dot = draw(out, format="dot")
    check_dot(dot)
    document = json.loads(draw(out, format="json"))
    check_graph_json(document)
    for text in (mermaid, dot):
        assert all(c.isprintable() or c == "\n" for c in text), "a hidden character is shown"
    for item in document["nodes"] + document["groups"]:
        assert re.fullmatch(r"[A-Za-z0-9_]+", item["id"])
    graphviz = shutil.which("dot")
    if graphviz is not None:
        result = subprocess.run([graphviz, "-Tsvg"], input=dot, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert snapshot(out) == before, "graph wrote into the out dir"


def test_hostile_names_everywhere_give_well_formed_output(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    (out / "app.yaml").write_text(emit_yaml(hostile_template(HOSTILE_NAMES)), encoding="utf-8")
    assert_safe_output(out)
    graph = read_graph(out)
    assert {n.label for n in graph.nodes if n.kind == "resource"} >= {'say "hi"', "end"}
    assert len({n.id for n in graph.nodes}) == len(graph.nodes)


def test_names_that_sanitize_alike_keep_distinct_ids(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    names = ["a-b", "a_b", "a.b", "a b", "a__b", "a/b"]
    template = {"resources": {n: {"type": "OS::Heat::None"} for n in names}}
    (out / "app.yaml").write_text(emit_yaml(template), encoding="utf-8")
    graph = read_graph(out)
    assert len({n.id for n in graph.nodes}) == len(names)
    assert_safe_output(out)


def test_a_name_of_thousands_of_dots_is_a_deep_but_finite_box(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    name = ".".join(["a"] * 5000)
    text = f"resources:\n  ? {name}\n  : {{type: OS::Heat::None}}\n"
    (out / "app.yaml").write_text(text, encoding="utf-8")
    graph = read_graph(out)
    assert len(graph.groups) == 5000 and len(graph.nodes) == 1
    check_mermaid(draw(out))
    check_dot(draw(out, format="dot"))


def test_a_hostile_stack_name_in_the_manifest_is_only_a_label(tmp_path: Path) -> None:
    name = 'st"] --> x["'
    out = out_dir_with(tmp_path / "out", {name: ("app.yaml", {})})
    (out / "app.yaml").write_text(emit_yaml(hostile_template(["r"])), encoding="utf-8")
    assert_safe_output(out)


def nested(name: str, type_: str) -> dict[str, object]:
    return {"resources": {name: {"type": type_}}}


def test_templates_that_contain_themselves_or_each_other_stop(tmp_path: Path) -> None:
    out = out_dir_with(
        tmp_path / "out",
        {
            "app": (
                "app.yaml",
                {
                    "self.yaml": "app.files/self.yaml",
                    "a.yaml": "app.files/a.yaml",
                    "b.yaml": "app.files/b.yaml",
                },
            )
        },
    )
    (out / "app.files").mkdir()
    (out / "app.yaml").write_text(
        emit_yaml({"resources": {"s": {"type": "self.yaml"}, "a": {"type": "a.yaml"}}}),
        encoding="utf-8",
    )
    (out / "app.files" / "self.yaml").write_text(emit_yaml(nested("again", "self.yaml")))
    (out / "app.files" / "a.yaml").write_text(emit_yaml(nested("to_b", "b.yaml")))
    (out / "app.files" / "b.yaml").write_text(emit_yaml(nested("to_a", "a.yaml")))
    graph = read_graph(out)
    assert len(graph.nodes) == 5  # s, its `again`; a, its `to_b`, b's `to_a` (not entered)
    assert_safe_output(out)


def test_a_wide_and_deep_nesting_is_bounded(tmp_path: Path) -> None:
    # each level holds ten resources of the next level: 10**12 nodes if nothing stopped it
    files = {f"l{i}.yaml": f"app.files/l{i}.yaml" for i in range(12)}
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", files)})
    (out / "app.files").mkdir()
    (out / "app.yaml").write_text(emit_yaml(nested("top", "l0.yaml")), encoding="utf-8")
    for i in range(12):
        body = {"resources": {f"r{j}": {"type": f"l{i + 1}.yaml"} for j in range(10)}}
        (out / "app.files" / f"l{i}.yaml").write_text(emit_yaml(body), encoding="utf-8")
    with pytest.raises(HotdslError, match="more than 1000000 nodes and boxes"):
        read_graph(out)


def test_a_deep_chain_of_templates_stops_at_the_nesting_limit(tmp_path: Path) -> None:
    files = {f"l{i}.yaml": f"app.files/l{i}.yaml" for i in range(40)}
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", files)})
    (out / "app.files").mkdir()
    (out / "app.yaml").write_text(emit_yaml(nested("top", "l0.yaml")), encoding="utf-8")
    for i in range(40):
        (out / "app.files" / f"l{i}.yaml").write_text(emit_yaml(nested("r", f"l{i + 1}.yaml")))
    graph = read_graph(out)
    assert 5 < len(graph.nodes) < 15
    assert_safe_output(out)


BILLION_LAUGHS = """resources:
  r:
    type: OS::Heat::Value
    properties:
      a: &a [{get_resource: r2}, {get_resource: r2}, {get_resource: r2}, {get_resource: r2}]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
      g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
      h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
      i: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
  r2:
    type: OS::Heat::Value
"""


@pytest.mark.parametrize(
    ("content", "drawn"),
    [
        (BILLION_LAUGHS, True),
        ("resources: [1, 2, 3]\n", True),
        ("- just\n- a list\n", True),
        ("resources:\n  r:\n    type: [not, a, string]\n    depends_on: {x: 1}\n", True),
        (
            "resources:\n  r:\n    properties: {a: {get_attr: []}, b: {get_attr: [{x: 1}, 2]}}\n",
            True,
        ),
        ("resources:\n  r:\n    properties: {a: {get_resource: nowhere}}\n", True),
        ("resources: {" * 5000 + "}" * 5000 + "\n", False),
        ("a: [unclosed\n", False),
        ("\ud800".encode("utf-8", "surrogatepass"), False),
        (b"\xff\xfe not utf-8", False),
        ("[" * 100_000 + "]" * 100_000 + "\n", False),
    ],
    ids=[
        "alias-bomb",
        "resources-a-list",
        "document-a-list",
        "wrong-types",
        "odd-get-attr",
        "dangling-reference",
        "deep-flow",
        "not-yaml",
        "surrogate",
        "not-utf8",
        "deeper-than-python",
    ],
)
def test_planted_templates_draw_or_fail_cleanly(
    tmp_path: Path, content: str | bytes, drawn: bool
) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    data = content.encode() if isinstance(content, str) else content
    (out / "app.yaml").write_bytes(data)
    if drawn:
        assert_safe_output(out)
        return
    with pytest.raises(HotdslError) as error:
        read_graph(out)
    message = str(error.value)
    assert "app.yaml" in message and "\n" not in message and len(message) < 400


def test_a_symlinked_template_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("resources: {}\n")
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    (out / "app.yaml").symlink_to(secret)
    with pytest.raises(HotdslError, match=r"outside|symlink"):
        read_graph(out)
    (out / "app.yaml").unlink()
    (out / "app.yaml").symlink_to(out / "real.yaml")
    (out / "real.yaml").write_text("resources: {}\n")
    with pytest.raises(HotdslError, match="symlink"):
        read_graph(out)


def test_a_files_entry_outside_the_out_dir_is_refused(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    document = json.loads((out / "manifest.json").read_text())
    document["stacks"][0]["files"] = {"x.yaml": "../x.yaml"}
    (out / "manifest.json").write_text(json.dumps(document))
    with pytest.raises(HotdslError, match="not a path inside the out dir"):
        read_graph(out)


def test_a_folder_as_template_is_refused(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    (out / "app.yaml").mkdir()
    with pytest.raises(HotdslError, match=r"app\.yaml"):
        read_graph(out)


def test_the_cli_answers_a_planted_out_dir_with_one_line(tmp_path: Path) -> None:
    out = out_dir_with(tmp_path / "out", {"app": ("app.yaml", {})})
    (out / "app.yaml").write_bytes(b"\xff\xfe")
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "graph", "--from", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
