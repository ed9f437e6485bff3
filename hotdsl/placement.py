"""Where a stack is deployed: which clouds.yaml entry and which of its regions.

The app may say it (`Stage(..., cloud=, region=)`, `Stack(..., cloud=, region=)`),
the person deploying may say it (`--cloud`, `--region`, then `OS_CLOUD` and the rest
of `hotdsl.deploy.connection.connect`'s chain). The rules, in one place:

- A stack that names a cloud is deployed there, in its own region (the cloud's
  default when it names none): a stage's region belongs to the stage's cloud. A stack
  that names only a region is deployed to its stage's cloud in that region. Otherwise
  the stage's cloud and region apply.
- `--cloud` and `--region` fill in what the app leaves open. Where the app names a
  cloud (or region) and the flag names another, the command stops before anything is
  deployed: the app's choice is reviewed code, a flag that silently wins over it (or
  silently loses) would deploy to a place nobody reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from hotdsl.errors import ConstructError, HotdslError
from hotdsl.source import SourceLocation


def check_place(kind: str, value: str | None, location: SourceLocation) -> str | None:
    """`value` for a cloud or region of the app: None, or a printable name."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ConstructError(f"{location}: {kind} {value!r} must be a non-empty printable name")
    return value


@attrs.frozen
class Placement:
    """A cloud and region; None leaves it to whoever comes next (flags, OS_CLOUD, ...)."""

    cloud: str | None = None
    region: str | None = None

    def within(self, outer: Placement) -> Placement:
        """This (a stack's own) placement inside `outer` (its stage's), as the rules say."""
        if self.cloud is not None:
            return self
        return Placement(outer.cloud, self.region or outer.region)

    def with_flags(self, cloud: str | None, region: str | None, stack: str) -> Placement:
        """This placement (the app's, for `stack`) with `--cloud`/`--region` filling gaps.

        A flag that names another cloud or region than the app is an error saying both.
        """
        for flag, mine, given in (
            ("--cloud", self.cloud, cloud),
            ("--region", self.region, region),
        ):
            if mine is not None and given is not None and mine != given:
                kind = flag[2:]
                raise HotdslError(
                    f"{flag} {given} conflicts with the app, which deploys stack {stack} to "
                    f"{kind} {mine}; leave out {flag} (the app chooses), or change the app"
                )
        return Placement(self.cloud or cloud, self.region or region)

    def to_json(self) -> dict[str, str]:
        """The keys that are set: a manifest without clouds reads as before."""
        out = {}
        if self.cloud is not None:
            out["cloud"] = self.cloud
        if self.region is not None:
            out["region"] = self.region
        return out

    def __str__(self) -> str:
        cloud = self.cloud or "the default cloud"
        return f"{cloud} ({self.region})" if self.region else cloud


def runs_by_place(
    names: Sequence[str], places: Mapping[str, Placement], depends_on: Mapping[str, Sequence[str]]
) -> list[list[str]]:
    """`names` (in dependency order) cut into runs of one place each, as few as the
    dependencies allow: a stack joins the current run when every stack it depends on
    (among `names`) is in it or in an earlier run. Runs go one after another, stacks
    within a run concurrently, so fewer runs mean more stacks at once."""
    runs: list[list[str]] = []
    placed: set[str] = set()
    left = list(names)
    while left:
        place, run = places[left[0]], []
        grew = True
        while grew:
            grew = False
            for name in list(left):
                deps = [d for d in depends_on.get(name, ()) if d in names]
                if places[name] == place and all(d in placed for d in deps):
                    run.append(name)
                    placed.add(name)
                    left.remove(name)
                    grew = True
        runs.append(run)
    return runs
