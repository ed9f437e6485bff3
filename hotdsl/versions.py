"""HOT template versions: their dates, release names and order.

Heat names each template version by a date; from 2016-10-14 on a version also has
a release name (`newton`, ...) that Heat accepts as an alias. Dates compare
correctly as strings, which is how the rest of hotdsl orders them.
"""

from __future__ import annotations

TEMPLATE_VERSIONS: tuple[str, ...] = (
    "2013-05-23",
    "2014-10-16",
    "2015-04-30",
    "2015-10-15",
    "2016-04-08",
    "2016-10-14",
    "2017-02-24",
    "2017-09-01",
    "2018-03-02",
    "2018-08-31",
    "2021-04-16",
)
"""Every `heat_template_version` date Heat accepts, oldest first."""

RELEASE_NAMES: dict[str, str] = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}
"""Release-name aliases of template versions, as Heat registers them."""

LATEST_VERSION = TEMPLATE_VERSIONS[-1]

_RELEASE_OF_DATE = {date: name for name, date in RELEASE_NAMES.items()}


def normalize_version(version: str) -> str:
    """Return the date form of a template version given as a date or a release name.

    Raises ValueError, listing the accepted values, for anything else.
    """
    text = str(version).strip()
    if text in TEMPLATE_VERSIONS:
        return text
    if text.lower() in RELEASE_NAMES:
        return RELEASE_NAMES[text.lower()]
    accepted = ", ".join(
        f"{d} ({_RELEASE_OF_DATE[d]})" if d in _RELEASE_OF_DATE else d for d in TEMPLATE_VERSIONS
    )
    raise ValueError(f"unknown heat_template_version {version!r}; accepted: {accepted}")


def describe_version(version: str) -> str:
    """`2017-09-01 (pike)`: a version as people name it in messages."""
    name = _RELEASE_OF_DATE.get(version)
    return f"{version} ({name})" if name else version
