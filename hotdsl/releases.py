"""Heat releases: which OpenStack series runs which Heat, and what each one has.

A cloud runs one Heat release; hotdsl's resource classes are made from Heat 27. With
a target release (`[tool.hotdsl] heat = "2023.1"`, `hotdsl synth --heat 2023.1`), synth
checks a template against that release: its template version, and, from the support
status that Heat records on every type and property (its "since" version), whether
each type and property already exists there, or is deprecated, hidden or unsupported.

Where the facts come from (all checked by hand against the public repositories):

- Series, release ids and Heat versions: openstack/releases, `data/series_status.yaml`
  (names and release ids such as 2023.1, which start with antelope) and
  `deliverables/<series>/heat.yaml` (each series' Heat releases: 5.0.0 in liberty,
  ... 19.0.0 in zed, 20.0.0 in antelope, ... 26.0.0 and 26.0.1 in gazpacho, 2026.1).
  Before liberty Heat numbered releases by date: tags 2013.1 (grizzly), 2013.2
  (havana), 2014.1 (icehouse), 2014.2 (juno), 2015.1.0 (kilo) of openstack/heat.
- Heat 27 is hibiscus, 2026.2: the series after gazpacho (26); its deliverable file
  exists in openstack/releases, and openstack/heat master after 26.0.0 marks new
  properties `SupportStatus(version='27.0.0')`. (Not 2026.1: that is gazpacho, 26.)
- The first Heat release of each template version (`TemplateVersion.first_heat_release`
  in hotdsl.versions, the table of HOT's language): openstack/heat, `setup.cfg`
  (`heat.templates` entry points `heat_template_version.<date>`) at each release
  tag: 2014-10-16 first in 2014.2, ..., 2018-08-31 in 11.0.0, 2021-04-16 in 16.0.0;
  2013-05-23 is in 2013.2 already (heat/tests/test_hot.py at that tag). The
  functions each version offers did not change after its release (the `functions`
  tables of heat/engine/hot/template.py are the same at 7.0.0 and on master), so a
  function newer than a release is a template version newer than the release.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from hotdsl.versions import VERSIONS, describe_version


@attrs.frozen(order=True)
class HeatRelease:
    """One Heat release series, ordered by `ordinal`.

    `ordinal` is Heat's major version from liberty (5) on, and 0 to 4 for the
    date-numbered releases before it (2013.1 grizzly to 2015.1 kilo).
    """

    ordinal: int
    series: str = attrs.field(order=False)
    release_id: str | None = attrs.field(default=None, order=False)
    """OpenStack's number for the series (2023.1 on); older series have only a name."""

    @property
    def heat_version(self) -> str:
        """Heat's version of the series' first release: `20.0.0`, `2014.1`."""
        return _DATE_VERSIONS[self.ordinal] if self.ordinal < 5 else f"{self.ordinal}.0.0"

    @property
    def template_version(self) -> str | None:
        """The newest `heat_template_version` this release has (None before havana)."""
        known = [v for v, first in TEMPLATE_VERSION_FIRST_RELEASE.items() if first <= self.ordinal]
        return max(known) if known else None

    def __str__(self) -> str:
        name = f"{self.release_id} {self.series}" if self.release_id else self.series
        return f"Heat {self.heat_version} ({name})"


_DATE_VERSIONS = ("2013.1", "2013.2", "2014.1", "2014.2", "2015.1")

RELEASES: tuple[HeatRelease, ...] = (
    HeatRelease(0, "grizzly"),
    HeatRelease(1, "havana"),
    HeatRelease(2, "icehouse"),
    HeatRelease(3, "juno"),
    HeatRelease(4, "kilo"),
    HeatRelease(5, "liberty"),
    HeatRelease(6, "mitaka"),
    HeatRelease(7, "newton"),
    HeatRelease(8, "ocata"),
    HeatRelease(9, "pike"),
    HeatRelease(10, "queens"),
    HeatRelease(11, "rocky"),
    HeatRelease(12, "stein"),
    HeatRelease(13, "train"),
    HeatRelease(14, "ussuri"),
    HeatRelease(15, "victoria"),
    HeatRelease(16, "wallaby"),
    HeatRelease(17, "xena"),
    HeatRelease(18, "yoga"),
    HeatRelease(19, "zed"),
    HeatRelease(20, "antelope", "2023.1"),
    HeatRelease(21, "bobcat", "2023.2"),
    HeatRelease(22, "caracal", "2024.1"),
    HeatRelease(23, "dalmatian", "2024.2"),
    HeatRelease(24, "epoxy", "2025.1"),
    HeatRelease(25, "flamingo", "2025.2"),
    HeatRelease(26, "gazpacho", "2026.1"),
    HeatRelease(27, "hibiscus", "2026.2"),
)
"""Every Heat release series, oldest first; the last is the Heat hotdsl is made from."""

LATEST_RELEASE = RELEASES[-1]

TEMPLATE_VERSION_FIRST_RELEASE: dict[str, int] = {v.date: v.first_heat_release for v in VERSIONS}
"""Template version -> ordinal of the first Heat release that has it."""

_HEAT_VERSION = re.compile(
    r"(?P<date>201[345]\.[12])(\.\d{1,3})?|(?P<major>\d{1,3})(\.\d{1,3}){0,2}"
)


def heat_release(text: str) -> HeatRelease:
    """The release named by a series (`antelope`), a release id (`2023.1`) or a Heat
    version (`20`, `20.0.0`, `2014.1`); ValueError, saying what is accepted, otherwise."""
    wanted = str(text).strip().lower()
    for release in RELEASES:
        if wanted in (release.series, release.release_id):
            return release
    ordinal = heat_version_ordinal(wanted)
    if ordinal is not None and ordinal <= LATEST_RELEASE.ordinal:
        return RELEASES[ordinal]
    raise ValueError(
        f"unknown Heat release {str(text)[:40]!r}; give a release id ({RELEASES[20].release_id} to "
        f"{LATEST_RELEASE.release_id}), a series name ({RELEASES[0].series} to "
        f"{LATEST_RELEASE.series}) or a Heat version (2013.2, 2014.1, ... 5.0.0 to "
        f"{LATEST_RELEASE.heat_version})"
    )


def heat_version_ordinal(version: str) -> int | None:
    """The release ordinal of a Heat version string (`9.0.0` -> 9, `2014.2` -> 3), or None."""
    match = _HEAT_VERSION.fullmatch(version.strip())
    if match is None:
        return None
    if match["date"] is not None:
        return _DATE_VERSIONS.index(match["date"])
    major = int(match["major"])
    return major if major >= 5 else None


def describe_heat_version(version: str) -> str:
    """`Heat 9.0.0 (pike)`: a version from Heat's support status, as people name it."""
    ordinal = heat_version_ordinal(version)
    if ordinal is None or ordinal > LATEST_RELEASE.ordinal:
        return f"Heat {version.strip()}"
    name = RELEASES[ordinal]
    return (
        f"Heat {version.strip()} ({name.release_id + ' ' if name.release_id else ''}{name.series})"
    )


# --- support status ------------------------------------------------------------------------


@attrs.frozen
class Availability:
    """What a type or property is in one release, from its support status chain."""

    exists: bool
    since: str | None = None
    """The Heat version it first appeared in, where Heat records it."""
    status: str = "SUPPORTED"
    status_since: str | None = None
    message: str | None = None


_NEW_STATUSES = ("SUPPORTED", "UNSUPPORTED", "UNKNOWN")
"""Statuses a type or property can start with: Heat adds experimental ones as UNSUPPORTED.
A chain that starts DEPRECATED or HIDDEN is of something older than that version."""


def availability(support_status: Mapping[str, object] | None, release: HeatRelease) -> Availability:
    """Read Heat's support status (newest first, each with its `previous_status`) for a release.

    Each status holds from its version on; a status without a version holds always.
    """
    chain: list[Mapping[str, object]] = []
    status = support_status
    while isinstance(status, Mapping):
        chain.append(status)
        previous = status.get("previous_status")
        status = previous if isinstance(previous, Mapping) else None
    if not chain:
        return Availability(True)
    first = chain[-1]
    since = _version_of(first)
    if first.get("status") in _NEW_STATUSES and since is not None:
        ordinal = heat_version_ordinal(since)
        if ordinal is not None and ordinal > release.ordinal:
            return Availability(False, since)
    else:
        since = None
    for entry in chain:
        version = _version_of(entry)
        ordinal = heat_version_ordinal(version) if version is not None else None
        if version is None or (ordinal is not None and ordinal <= release.ordinal):
            message = entry.get("message")
            return Availability(
                True,
                since,
                str(entry.get("status") or "SUPPORTED"),
                version,
                message if isinstance(message, str) else None,
            )
    return Availability(True, since)


def _version_of(status: Mapping[str, object]) -> str | None:
    version = status.get("version")
    return version.strip() if isinstance(version, str) and version.strip() else None


def describe_template_version_limit(version: str, release: HeatRelease) -> str | None:
    """Why `release` cannot read `heat_template_version: version`, or None if it can."""
    first = TEMPLATE_VERSION_FIRST_RELEASE.get(version)
    if first is None or first <= release.ordinal:
        return None
    newest = release.template_version
    fix = (
        f"pass template_version={newest!r} (the newest it has) to the Stack"
        if newest is not None
        else "it reads no HOT template"
    )
    return (
        f"heat_template_version {describe_version(version)} is new in {RELEASES[first]}, "
        f"newer than the target {release}; {fix}"
    )
