"""Which resource changes diff and approval flag (`hotdsl.deploy.risk`), without Heat.

Deletion policies in either template and in any case Heat reads; `restricted_actions`
matched as Heat matches them (shell wildcards, nested stacks' resources under their
parent's name), in the deployed or the new environment; and nothing flagged for
changes Heat carries out as asked. The whole path runs against Heat in test_plans.py.
"""

from __future__ import annotations

from hotdsl.deploy.risk import change_risks


def template(**policies: str) -> dict[str, object]:
    return {
        "resources": {
            name: {"type": "OS::Heat::RandomString", "deletion_policy": policy}
            for name, policy in policies.items()
        }
    }


def restricting(resources: dict[str, object]) -> dict[str, object]:
    return {"resource_registry": {"resources": resources}}


def test_deletion_policies_flag_replacement_and_removal_only() -> None:
    old = template(kept="Retain", snap="snapshot", plain="Delete")
    changes = [
        ("kept", "replace"),
        ("snap", "remove"),
        ("plain", "replace"),
        ("kept", "update"),
        ("new", "add"),
    ]
    risks = change_risks(changes, (old, {}), ())
    assert [(r.resource, r.action, r.why.split(":")[0]) for r in risks] == [
        ("kept", "replace", "deletion_policy Retain"),
        ("snap", "remove", "deletion_policy Snapshot"),
    ]
    assert "left behind outside the stack" in str(risks[0])
    # The new template's policy counts too (CloudFormation's key as well).
    cfn = {"resources": {"db": {"DeletionPolicy": "Retain"}}}
    assert [r.resource for r in change_risks([("db", "replace")], ({}, cfn), ())] == ["db"]


def test_restricted_actions_match_as_heat_matches_them() -> None:
    env = restricting(
        {
            "db_*": {"restricted_actions": ["replace"]},
            "web": {"restricted_actions": "update"},
            "group": {"inner": {"restricted_actions": ["update", "replace"]}},
        }
    )
    changes = [
        ("db_main", "replace"),
        ("db_main", "update"),
        ("web", "update"),
        ("web", "replace"),
        ("group/inner", "replace"),
        ("group/other", "replace"),
        ("db_main", "remove"),
    ]
    risks = change_risks(changes, (), ({}, env))
    assert [(r.resource, r.action) for r in risks] == [
        ("db_main", "replace"),
        ("web", "update"),
        ("group/inner", "replace"),
    ]
    assert all("Heat will refuse it halfway through" in r.why for r in risks)
    # A restriction in the deployed environment is flagged as well.
    assert change_risks([("db_main", "replace")], (), (env, {})) != ()
    assert change_risks([("db_main", "replace")], (), ({}, {"resource_registry": "x"})) == ()
