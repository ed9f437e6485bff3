"""`hotdsl graph`: the examples' graphs against golden files, the output of every format
checked by a grammar (and by Graphviz where it is installed), the JSON schema, the model
(nesting, references, cross-stack links), the big-app views, the change view, and the
fast YAML reader against PyYAML.

Run with HOTDSL_UPDATE_GOLDEN=1 to rewrite tests/golden/graphs/ after a deliberate change.
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
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hotdsl.errors import HotdslError
from hotdsl.graph import (
    ResourceChange,
    changed_subgraph,
    collapse,
    diff_changes,
    draw,
    fold,
    read_graph,
    render,
)
from hotdsl.graph.model import Graph, Node
from hotdsl.graph.quick_yaml import read_synth_yaml
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.manifest import Manifest, StackEntry

from .graph_syntax import check_dot, check_graph_json, check_mermaid

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "golden" / "expected"
GRAPHS = ROOT / "tests" / "golden" / "graphs"
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "app.py").is_file())
README_EXAMPLE = "multi_stack"
DOT = shutil.which("dot")


def out_dir_of(example: str) -> Path:
    """The golden synth output of an example (kept equal to a fresh synth by test_golden)."""
    return EXPECTED / f"example-{example}"


def hotdsl(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": "", **(env or {})},
    )


def write_out_dir(
    folder: Path,
    templates: dict[str, dict[str, object]],
    *,
    files: dict[str, dict[str, object]] | None = None,
    environment: dict[str, object] | None = None,
) -> Path:
    """An out dir as synth writes it: templates, the files map, an environment, manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, template in templates.items():
        (folder / f"{name}.yaml").write_text(emit_yaml(template), encoding="utf-8")
        mapped = {}
        for key, body in (files or {}).items():
            (folder / f"{name}.files").mkdir(exist_ok=True)
            (folder / f"{name}.files" / key).write_text(emit_yaml(body), encoding="utf-8")
            mapped[key] = f"{name}.files/{key}"
        environments: tuple[str, ...] = ()
        if environment is not None:
            (folder / f"{name}.env.yaml").write_text(emit_yaml(environment), encoding="utf-8")
            environments = (f"{name}.env.yaml",)
        entries.append(
            StackEntry(
                name=name,
                path=name,
                template=f"{name}.yaml",
                files=mapped,
                environment_files=environments,
            )
        )
    (folder / "manifest.json").write_text(Manifest(tuple(entries)).to_json(), encoding="utf-8")
    return folder


def node(graph: Graph, stack: str, *path: str) -> Node:
    return next(n for n in graph.nodes if n.stack == stack and n.path == path)


def edges_between(graph: Graph, source: Node, target: Node) -> list[tuple[str, str]]:
    return [
        (e.kind, e.label) for e in graph.edges if (e.source, e.target) == (source.id, target.id)
    ]


# -- golden graphs and syntax ----------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_examples_graphs_match_the_golden_files(example: str) -> None:
    text = draw(out_dir_of(example))
    golden = GRAPHS / f"{example}.mmd"
    if os.environ.get("HOTDSL_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs"
    check_mermaid(text)


def test_a_fresh_synth_draws_what_the_out_dir_draws(tmp_path: Path) -> None:
    app = ROOT / "examples" / "nested_stacks" / "app.py"
    result = hotdsl("graph", "--app", str(app), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GRAPHS / "nested_stacks.mmd").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == [], "graph writes no out dir of its own"


def test_the_readme_graph_is_what_hotdsl_graph_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Seeing the stacks", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```mermaid\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    result = hotdsl("graph", cwd=ROOT / "examples" / README_EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert blocks[0] == result.stdout


def test_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        for fmt in ("mermaid", "dot", "json"):
            result = hotdsl(
                "graph",
                "--from",
                str(out_dir_of("three_tier")),
                "--format",
                fmt,
                cwd=tmp_path,
                env={"PYTHONHASHSEED": seed},
            )
            assert result.returncode == 0, result.stderr
            outputs.add((fmt, result.stdout))
    assert len(outputs) == 3


VIEWS = [{}, {"depth": 0}, {"depth": 1}, {"depth": 2}, {"fold_limit": 2}]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_format_and_view_is_well_formed(example: str) -> None:
    for view in VIEWS:
        check_mermaid(draw(out_dir_of(example), **view))  # type: ignore[arg-type]
        check_dot(draw(out_dir_of(example), format="dot", **view))  # type: ignore[arg-type]
        check_graph_json(json.loads(draw(out_dir_of(example), format="json", **view)))  # type: ignore[arg-type]


@pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed; check_dot still runs")
@pytest.mark.parametrize("example", EXAMPLES)
def test_graphviz_reads_the_dot_output(example: str) -> None:
    assert DOT is not None
    for view in ({}, {"depth": 1}):
        text = draw(out_dir_of(example), format="dot", **view)  # type: ignore[arg-type]
        result = subprocess.run([DOT, "-Tsvg"], input=text, capture_output=True, text=True)
        assert result.returncode == 0 and not result.stderr, result.stderr
        assert "<svg" in result.stdout


GOOD_MERMAID = (
    'flowchart TB\n  subgraph s_a ["a"]\n    r_x["x<br/>Nova::Server"]\n  end\n  r_x --> r_x\n'
)
BAD_MERMAID = {
    "a quote inside a label": 'flowchart TB\n  r_x["say "hi""]\n',
    "an arrow as an id": 'flowchart TB\n  r_x["x"]\n  r_x --> -->\n',
    "raw markup in a label": 'flowchart TB\n  r_x["<script>"]\n',
    "a bare # in a label": 'flowchart TB\n  r_x["a#b"]\n',
    "a keyword as an id": 'flowchart TB\n  end["x"]\n',
    "an unclosed subgraph": 'flowchart TB\n  subgraph s_a ["a"]\n    r_x["x"]\n',
    "a stray end": 'flowchart TB\n  r_x["x"]\n  end\n',
    "an edge to an undefined node": 'flowchart TB\n  r_x["x"]\n  r_x --> r_y\n',
    "a node defined twice": 'flowchart TB\n  r_x["x"]\n  r_x["y"]\n',
    "a class without classDef": 'flowchart TB\n  r_x["x"]\n  class r_x added\n',
    "no header": 'r_x["x"]\n',
    "an unquoted label": "flowchart TB\n  r_x[x]\n",
    "a broken edge label": 'flowchart TB\n  r_x["x"]\n  r_y["y"]\n  r_x -->|"a"b"| r_y\n',
}


def test_the_mermaid_checker_accepts_the_grammar() -> None:
    check_mermaid(GOOD_MERMAID.replace("r_x --> r_x", 'r_x -.->|"a#35;b"| r_x'))


@pytest.mark.parametrize("case", sorted(BAD_MERMAID))
def test_the_mermaid_checker_rejects_malformed_output(case: str) -> None:
    with pytest.raises(AssertionError):
        check_mermaid(BAD_MERMAID[case])


BAD_DOT = {
    "an unescaped quote": 'digraph "hotdsl" {\n  "r_x" [label="a"b"];\n}\n',
    "an unclosed cluster": 'digraph "hotdsl" {\n  subgraph "cluster_g" {\n  "r_x" [label="x"];\n}\n',
    "an edge to an undefined node": 'digraph "hotdsl" {\n  "r_x" [label="x"];\n  "r_x" -> "r_y";\n}\n',
    "an unquoted id": 'digraph "hotdsl" {\n  r-x [label="x"];\n}\n',
}


@pytest.mark.parametrize("case", sorted(BAD_DOT))
def test_the_dot_checker_rejects_malformed_output(case: str) -> None:
    with pytest.raises(AssertionError):
        check_dot(BAD_DOT[case])


def test_the_json_checker_rejects_a_dangling_edge() -> None:
    document = json.loads(draw(out_dir_of("quickstart"), format="json"))
    check_graph_json(document)
    document["edges"].append(
        {
            "source": "nowhere",
            "target": "nowhere_else",
            "kind": "reference",
            "label": "",
            "count": 1,
        }
    )
    with pytest.raises(AssertionError):
        check_graph_json(document)


# -- what the graph says ---------------------------------------------------------------


def test_nested_stacks_are_boxes_inside_boxes() -> None:
    graph = read_graph(out_dir_of("nested_stacks"))
    groups = {g.path: g for g in graph.groups}
    assert groups["shop"].kind == "stack"
    assert groups["shop/database"].kind == "nested_stack"
    assert groups["shop/database"].detail == "shop-database.yaml"
    assert groups["shop/database/backups"].parent == groups["shop/database"].id
    assert groups["shop/status"].detail == "Heat::Stack: shop-status.yaml"
    volume = node(graph, "shop", "database", "backups", "volume")
    assert volume.group == groups["shop/database/backups"].id
    assert volume.type == "OS::Cinder::Volume" and volume.label == "volume"
    # the shop's subnet feeds the database's parameter, which feeds the server's port
    subnet = node(graph, "shop", "network.subnet")
    wired = node(graph, "shop", "database", "import.shop.network.subnet")
    port = node(graph, "shop", "database", "server.port")
    assert edges_between(graph, subnet, wired) == [("reference", "")]
    assert edges_between(graph, wired, port) == [("reference", "")]
    address = node(graph, "shop", "db_address")
    assert edges_between(graph, node(graph, "shop", "database"), address) == [
        ("reference", "address")
    ]


def test_depends_on_is_its_own_edge_kind_and_attributes_label_references() -> None:
    graph = read_graph(out_dir_of("three_tier"))
    floating_ip = node(graph, "three-tier", "web.floating_ip")
    interface = node(graph, "three-tier", "network.interface")
    balancer = node(graph, "three-tier", "web.load_balancer")
    assert edges_between(graph, interface, floating_ip) == [("depends_on", "")]
    assert edges_between(graph, balancer, floating_ip) == [("reference", "vip_port_id")]
    text = render(graph, "mermaid")
    assert f"{interface.id} -.-> {floating_ip.id}" in text
    assert f'{interface.id}" -> "{floating_ip.id}" [style=dashed]' in render(graph, "dot")


def test_group_members_are_a_box_of_the_group() -> None:
    graph = read_graph(out_dir_of("three_tier"))
    groups = {g.path: g for g in graph.groups}
    members = groups["three-tier/web/group/members"]
    assert members.kind == "members" and members.parent == groups["three-tier/web/group"].id
    assert node(graph, "three-tier", "web.group", "server").group == members.id
    pool = node(graph, "three-tier", "web.pool")
    into = node(graph, "three-tier", "web.group", "pool")
    assert edges_between(graph, pool, into) == [("reference", "")]


def test_provider_templates_expand_through_the_environment() -> None:
    graph = read_graph(out_dir_of("provider_group"))
    groups = {g.path: g for g in graph.groups}
    assert groups["workers/leader"].kind == "provider"
    assert groups["workers/leader"].detail == "Example::Worker: worker.yaml"
    assert groups["workers/group/members"].detail == "Example::Worker: worker.yaml"
    assert node(graph, "workers", "leader", "server").group == groups["workers/leader"].id


def test_stacks_in_deploy_order_joined_by_cross_stack_links() -> None:
    graph = read_graph(out_dir_of("multi_stack"))
    assert [g.stack for g in graph.groups if g.kind == "stack"] == ["network", "application"]
    output = node(graph, "network", "export.network.subnet")
    parameter = node(graph, "application", "import.network.subnet")
    assert edges_between(graph, output, parameter) == [("cross_stack", "export.network.subnet")]
    assert f"{output.id} ==>" in render(graph, "mermaid")


def test_a_stage_names_the_stacks_and_unknown_stages_or_stacks_are_refused() -> None:
    graph = read_graph(out_dir_of("multi_stack"), stage="prod")
    assert [g.label for g in graph.groups if g.kind == "stack"] == [
        "prod-network",
        "prod-application",
    ]
    only = read_graph(out_dir_of("multi_stack"), stacks=["network"])
    assert {n.stack for n in only.nodes} == {"network"}
    with pytest.raises(HotdslError, match="no stage 'qa'"):
        read_graph(out_dir_of("multi_stack"), stage="qa")
    with pytest.raises(HotdslError, match="no stack named 'nope'"):
        read_graph(out_dir_of("multi_stack"), stacks=["nope"])


# -- big apps --------------------------------------------------------------------------


def test_depth_collapses_constructs_and_stacks_into_nodes() -> None:
    graph = read_graph(out_dir_of("multi_stack"))
    stacks = collapse(graph, depth=0)
    assert [(n.kind, n.label) for n in stacks.nodes] == [
        ("collapsed", "network"),
        ("collapsed", "application"),
    ]
    assert [(e.kind, e.count) for e in stacks.edges] == [("cross_stack", 2)]
    shop = collapse(read_graph(out_dir_of("nested_stacks")), depth=1)
    database = next(n for n in shop.nodes if n.label == "database")
    assert database.kind == "collapsed" and database.count == 9
    assert {g.path for g in shop.groups} == {"shop"}


def test_focus_keeps_one_subtree_open() -> None:
    graph = collapse(read_graph(out_dir_of("nested_stacks")), focus="shop/database/backups")
    assert {g.path for g in graph.groups} == {"shop", "shop/database", "shop/database/backups"}
    collapsed = {n.label for n in graph.nodes if n.kind == "collapsed"}
    assert collapsed == {"network", "server", "status"}
    assert node(graph, "shop", "database", "backups", "volume").kind == "resource"
    with pytest.raises(HotdslError, match="--focus shop/nowhere"):
        collapse(read_graph(out_dir_of("nested_stacks")), focus="shop/nowhere")


def flat_stack(servers: int) -> dict[str, object]:
    """The shape of benchmarks/synth_realistic.py: a group, and per server four resources."""
    resources: dict[str, object] = {"web_sg": {"type": "OS::Neutron::SecurityGroup"}}
    outputs: dict[str, object] = {}
    for i in range(servers):
        resources[f"port{i}"] = {
            "type": "OS::Neutron::Port",
            "properties": {"security_groups": [{"get_resource": "web_sg"}]},
        }
        resources[f"data{i}"] = {"type": "OS::Cinder::Volume", "properties": {"size": 10}}
        resources[f"server{i}"] = {
            "type": "OS::Nova::Server",
            "properties": {"networks": [{"port": {"get_resource": f"port{i}"}}]},
        }
        resources[f"attach{i}"] = {
            "type": "OS::Cinder::VolumeAttachment",
            "properties": {
                "instance_uuid": {"get_resource": f"server{i}"},
                "volume_id": {"get_resource": f"data{i}"},
            },
        }
        outputs[f"address{i}"] = {"value": {"get_attr": [f"server{i}", "first_address"]}}
    return {"heat_template_version": "2021-04-16", "resources": resources, "outputs": outputs}


def test_a_crowded_stack_folds_into_an_overview(tmp_path: Path) -> None:
    out = write_out_dir(tmp_path / "out", {"big": flat_stack(100)})
    full = read_graph(out)
    assert len(full.nodes) == 501
    overview = fold(full)
    assert sorted((n.label, n.count) for n in overview.nodes) == [
        ("Cinder::Volume", 100),
        ("Cinder::VolumeAttachment", 100),
        ("Neutron::Port", 100),
        ("Nova::Server", 100),
        ("outputs", 100),
        ("web_sg", 1),
    ]
    servers = next(n for n in overview.nodes if n.label == "Nova::Server")
    outputs = next(n for n in overview.nodes if n.label == "outputs")
    assert edges_between(overview, servers, outputs) == [("reference", "first_address")]
    assert next(e for e in overview.edges if e.target == outputs.id).count == 100
    check_mermaid(render(overview, "mermaid"))
    assert fold(full, 0) == full
    assert fold(full, 1000) == full


# -- changes ---------------------------------------------------------------------------


def test_changed_subgraph_keeps_changes_and_their_neighbours() -> None:
    graph = read_graph(out_dir_of("three_tier"))
    view = changed_subgraph(
        graph,
        [
            ResourceChange("three-tier", ("db.volume",), "changed"),
            ResourceChange("three-tier", ("web.listener",), "replaced"),
            ResourceChange("three-tier", ("web.group", "member"), "added"),
            ResourceChange("three-tier", ("web.old_alarm",), "removed", "OS::Aodh::Alarm"),
        ],
    )
    kinds = {n.path: n.change for n in view.nodes}
    assert kinds == {
        ("db_volume_size",): None,
        ("db.volume",): "changed",
        ("db.volume_attachment",): None,
        ("web.load_balancer",): None,
        ("web.listener",): "replaced",
        ("web.pool",): None,
        ("web.group", "member"): "added",
        ("web.group", "port"): None,
        ("web.group", "pool"): None,
        ("web.group", "protocol_port"): None,
        ("web.group", "subnet"): None,
        ("web.old_alarm",): "removed",
    }
    removed = node(view, "three-tier", "web.old_alarm")
    assert removed.group == next(g.id for g in view.groups if g.kind == "stack")
    assert {g.path for g in view.groups} == {
        "three-tier",
        "three-tier/db",
        "three-tier/web",
        "three-tier/web/group",
        "three-tier/web/group/members",
    }
    text = render(view, "mermaid")
    check_mermaid(text)
    assert f"class {node(view, 'three-tier', 'web.listener').id} replaced" in text
    assert "classDef removed" in text and "stroke-dasharray" in text
    check_dot(render(view, "dot"))
    check_graph_json(json.loads(render(view, "json")))
    with pytest.raises(HotdslError, match=r"no resource 'web\.nothing'"):
        changed_subgraph(graph, [ResourceChange("three-tier", ("web.nothing",), "added")])


def test_a_removed_resource_of_a_nested_template_lands_in_its_box() -> None:
    graph = read_graph(out_dir_of("nested_stacks"))
    view = changed_subgraph(graph, [ResourceChange("shop", ("database", "old"), "removed")])
    removed = node(view, "shop", "database", "old")
    assert removed.group == next(g.id for g in view.groups if g.path == "shop/database")
    alike = changed_subgraph(
        graph,
        [
            ResourceChange("shop", ("old-x",), "removed"),
            ResourceChange("shop", ("old_x",), "removed"),
        ],
    )
    assert len({n.id for n in alike.nodes}) == 2
    check_mermaid(render(alike, "mermaid"))


# -- the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "png"], "--format png: choose one of mermaid, dot, json"),
        (["nope"], "no stack named 'nope'"),
        (["--stage", "qa"], "no stage 'qa'"),
        (["--focus", "network/none"], "--focus network/none"),
    ],
)
def test_cli_mistakes_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = hotdsl("graph", "--from", str(out_dir_of("multi_stack")), *args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cli_without_a_manifest_says_to_synth(tmp_path: Path) -> None:
    result = hotdsl("graph", "--from", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "has no manifest.json; run `hotdsl synth` first" in result.stderr


def test_cli_depth_and_format(tmp_path: Path) -> None:
    result = hotdsl(
        "graph", "--from", str(out_dir_of("multi_stack")), "--depth", "0", "-f", "dot", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    check_dot(result.stdout)
    assert '"c_s_network" -> "c_s_application"' in result.stdout


# -- the YAML reader -------------------------------------------------------------------


def base_load(text: str) -> object:
    return yaml.load(text, Loader=yaml.BaseLoader)


@pytest.mark.parametrize(
    "file",
    sorted(EXPECTED.rglob("*.yaml")),
    ids=lambda p: p.relative_to(EXPECTED).as_posix(),
)
def test_the_quick_reader_reads_synth_output_as_pyyaml_does(file: Path) -> None:
    text = file.read_text(encoding="utf-8")
    quick = read_synth_yaml(text)
    if file.parent.name == "cloud-init":  # files a user wrote, not synth: comments and all
        return
    assert quick is not None, "synth's own YAML falls back to PyYAML"
    assert quick == base_load(text)


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(["get_attr", "-1", "a: b", "#x", "'q'", "- x", "x:", "null", "", " a "])
_SCALARS = _TEXT | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT, _DATA, min_size=1, max_size=5))
def test_the_quick_reader_agrees_with_pyyaml_on_whatever_synth_emits(
    document: dict[str, object],
) -> None:
    text = emit_yaml(document)
    quick = read_synth_yaml(text)
    if quick is not None:
        assert quick == base_load(text)


@pytest.mark.parametrize(
    "value",
    [
        *["a\n   \nb", " lead\nx", "x\n\n\n", "\nx", "a\n\tb\n", "a  \nb", "x\n ", "a\n#b"],
        *["- a\nb: c", "a: b\nc", "{a}\nb", "a\n\n\nb\n", "'q'", "x: y", "-1", "  ", "tab\tin"],
        "\u00e9\n\u6f22",
    ],
)
def test_the_quick_reader_reads_literal_blocks_and_quotes_exactly(value: str) -> None:
    for document in ({"k": value}, {"k": [value, {"x": value}]}, {"k": {"n": [[value]]}}):
        text = emit_yaml(document)
        quick = read_synth_yaml(text)
        assert quick is None or quick == base_load(text), text


@pytest.mark.parametrize(
    "text",
    [
        "a: 1 # comment\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        'a: "tab\\tstop"\n',
        "a: b\n  c\n",
        "a: >\n  folded\n",
        "a:\nb: 1\n",
        "a: [1, 2\n",
        "a: {b: c}}\n",
        "a: 1\na: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1",
    ],
)
def test_the_quick_reader_leaves_anything_else_to_pyyaml(text: str) -> None:
    assert read_synth_yaml(text) is None


def test_cli_warns_when_github_would_refuse_the_mermaid(tmp_path: Path) -> None:
    out = write_out_dir(tmp_path / "out", {"big": flat_stack(120)})
    full = hotdsl("graph", "--from", str(out), "--fold", "0", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    assert full.stderr == (
        "warning: 600 edges; GitHub and GitLab render at most 500: draw less with --depth, "
        "--focus or a lower --fold\n"
    )
    check_mermaid(full.stdout)
    overview = hotdsl("graph", "--from", str(out), cwd=tmp_path)
    assert overview.returncode == 0 and overview.stderr == ""
    assert overview.stdout.count("\n") < 20


def test_a_diff_s_resource_names_become_the_graph_s_changes() -> None:
    """`hotdsl diff` names group members with their index (`web/0/port`); the graph draws a
    member once, so the index goes, and members of one group count once. A change inside
    something the graph does not draw marks its nearest drawn ancestor."""
    graph = read_graph(out_dir_of("multi_stack"))
    changes = diff_changes(
        graph,
        "application",
        [
            ("web/0/port", "OS::Neutron::Port", "update"),
            ("web/1/port", "OS::Neutron::Port", "replace"),
            ("web/0/server/volume", "OS::Cinder::Volume", "add"),
            ("gone", "OS::Heat::Value", "remove"),
            ("web", "OS::Heat::ResourceGroup", "unchanged"),
            ("nowhere/at/all", "OS::Heat::Value", "add"),
        ],
    )
    assert changes == [
        ResourceChange("application", ("web", "port"), "replaced", "OS::Neutron::Port"),
        ResourceChange("application", ("web", "server"), "changed", "OS::Cinder::Volume"),
        ResourceChange("application", ("gone",), "removed", "OS::Heat::Value"),
    ]
    drawn = render(changed_subgraph(graph, changes), "mermaid")
    check_mermaid(drawn)
    assert "removed" in drawn and "replaced" in drawn and "changed" in drawn
