"""Every rule in pulumi_ionoscr._validation: accepted, normalised and rejected values.

"Normalised" cases check that two spellings of the same intent give identical output (what keeps
Pulumi diffs stable); "rejected" cases check that the message names the field, the rule and the
offending value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest

from pulumi_ionoscr import _validation as v
from pulumi_ionoscr._exceptions import ValidationError

NOW = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def assert_rejected(
    error: pytest.ExceptionInfo[ValidationError], field: str, value: object, *rule_words: str
) -> None:
    """The message names the field, the offending value and (words of) the rule."""
    message = str(error.value)
    assert error.value.field == field
    assert error.value.value == value
    assert message.startswith(f"{field}: "), message
    # Long values are shortened in messages; their start is always shown.
    assert repr(value)[:150] in message, message
    for word in rule_words:
        assert word in message, (word, message)


# ------------------------------------------------------------------------------------------
# registry_name


@pytest.mark.parametrize(
    "name", ["abc", "my-registry", "a1b", "reg-2024-prod", "a" + "b" * 61 + "c", "a--b"]
)
def test_registry_name_accepts(name: str) -> None:
    assert v.registry_name(name) == name


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("ab", "2 characters long"),
        ("", "0 characters long"),
        ("a" * 64, "64 characters long"),
        ("MyRegistry", "uppercase"),
        ("my_registry", "'_'"),
        ("my.registry", "'.'"),
        ("1registry", "must start with a letter"),
        ("-registry", "must start with a letter"),
        ("registry-", "must end with a letter or digit"),
        (" registry", "' '"),
    ],
)
def test_registry_name_rejects(name: str, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.registry_name(name)
    assert_rejected(error, "name", name, detail, v.REGISTRY_NAME_PATTERN)


@pytest.mark.parametrize("name", [None, 42, ["abc"]])
def test_registry_name_rejects_non_strings(name: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.registry_name(name, field="registry.name")
    assert_rejected(error, "registry.name", name, "must be a string")


# ------------------------------------------------------------------------------------------
# token_name


@pytest.mark.parametrize("name", ["ab", "ci-token", "TestRegistryToken", "Z9", "a" * 63])
def test_token_name_accepts(name: str) -> None:
    assert v.token_name(name) == name


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("a", "1 characters long"),
        ("a" * 64, "64 characters long"),
        ("9token", "must start with a letter"),
        ("token-", "must end with a letter or digit"),
        ("ci_token", "'_'"),
        ("ci token", "' '"),
    ],
)
def test_token_name_rejects(name: str, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.token_name(name)
    assert_rejected(error, "name", name, detail, v.TOKEN_NAME_PATTERN)


# ------------------------------------------------------------------------------------------
# derive_*_name, random_suffix


@pytest.mark.parametrize(
    ("resource_name", "suffix", "expected"),
    [
        ("my-registry", "x7k2q9a", "my-registry-x7k2q9a"),
        ("My_Registry", "x7k2q9a", "my-registry-x7k2q9a"),
        ("My Registry!!", "ABC123", "my-registry-abc123"),
        ("café", "abc", "cafe-abc"),
        ("123", "abc", "r-123-abc"),
        ("___", "abc", "r-abc"),
        ("", "abc", "r-abc"),
        ("a--b__c", "z", "a-b-c-z"),
    ],
)
def test_derive_registry_name(resource_name: str, suffix: str, expected: str) -> None:
    assert v.derive_registry_name(resource_name, suffix) == expected


@pytest.mark.parametrize(
    "resource_name", ["x" * 200, "a-" * 40, "Ünïcödé " * 20, "9" * 70, "a" * 55 + "-" * 10 + "b"]
)
def test_derive_registry_name_is_always_valid(resource_name: str) -> None:
    suffix = v.random_suffix()
    name = v.derive_registry_name(resource_name, suffix)
    assert v.registry_name(name) == name
    assert len(name) <= 63
    assert name.endswith("-" + suffix)


@pytest.mark.parametrize(
    ("resource_name", "suffix", "expected"),
    [
        ("CiToken", "x7k2q9a", "CiToken-x7k2q9a"),
        ("ci token", "Ab1", "ci-token-Ab1"),
        ("1st", "a", "t-1st-a"),
    ],
)
def test_derive_token_name(resource_name: str, suffix: str, expected: str) -> None:
    assert v.derive_token_name(resource_name, suffix) == expected


def test_derive_token_name_truncates() -> None:
    name = v.derive_token_name("T" * 100, "abcdefg")
    assert len(name) == 63
    assert v.token_name(name) == name


@pytest.mark.parametrize("suffix", ["", "a-b", "a_b", "x" * 33])
def test_derive_rejects_bad_suffix(suffix: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.derive_registry_name("reg", suffix)
    assert_rejected(error, "suffix", suffix, "letters or digits")


def test_stable_suffix_is_fixed_by_its_parts() -> None:
    parts = ("organization/quickstart/dev", "main", "contract:31415926")
    suffix = v.stable_suffix(*parts)
    assert re.fullmatch(r"[a-z0-9]{7}", suffix)
    assert v.stable_suffix(*parts) == suffix
    assert v.stable_suffix("organization/quickstart/dev", "main", "contract:27182818") != suffix
    assert v.stable_suffix("organization/quickstart/prod", "main", "contract:31415926") != suffix
    # Parts are joined unambiguously: moving a character between parts changes the suffix.
    assert v.stable_suffix("ab", "c") != v.stable_suffix("a", "bc")
    assert re.fullmatch(r"[a-z0-9]{12}", v.stable_suffix("x", length=12))
    with pytest.raises(ValueError):
        v.stable_suffix("x", length=0)


def test_random_suffix() -> None:
    suffixes = {v.random_suffix() for _ in range(50)}
    assert len(suffixes) > 45
    assert all(re.fullmatch(r"[a-z0-9]{7}", s) for s in suffixes)
    assert re.fullmatch(r"[a-z0-9]{12}", v.random_suffix(12))
    with pytest.raises(ValueError):
        v.random_suffix(0)


# ------------------------------------------------------------------------------------------
# location_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [("de/fra", "de/fra"), ("DE/FRA", "de/fra"), (" es/vit\n", "es/vit"), ("De/Txl", "de/txl")],
)
def test_location_id_normalises(value: str, expected: str) -> None:
    assert v.location_id(value) == expected
    assert v.location_id(value, v.KNOWN_LOCATIONS) == expected


@pytest.mark.parametrize("value", ["defra", "de-fra", "de/fran", "d/fra", "de/fr4", "", "de/"])
def test_location_id_rejects_format(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.location_id(value)
    assert_rejected(error, "location", value, v.LOCATION_PATTERN)


def test_location_id_rejects_unknown_location() -> None:
    with pytest.raises(ValidationError) as error:
        v.location_id("us/ewr", v.KNOWN_LOCATIONS)
    assert_rejected(error, "location", "us/ewr", "de/fra, de/txl, es/vit")


def test_location_id_membership_uses_given_list() -> None:
    assert v.location_id("us/ewr", ["US/EWR"]) == "us/ewr"
    assert v.location_id("us/ewr") == "us/ewr"  # format only without a list


def test_known_locations() -> None:
    assert v.KNOWN_LOCATIONS == ("de/fra", "de/txl", "es/vit")


# ------------------------------------------------------------------------------------------
# schedule_days

DAYS_FIELD = "garbage_collection_schedule.days"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Monday"], ["Monday"]),
        (["sunday", "SATURDAY"], ["Saturday", "Sunday"]),
        (["Saturday", "Sunday"], ["Saturday", "Sunday"]),
        (["Sunday", "Saturday"], ["Saturday", "Sunday"]),
        (["sat", "Sun", "saturday"], ["Saturday", "Sunday"]),
        (("Fri", " wed ", "MON"), ["Monday", "Wednesday", "Friday"]),
        (list(v.WEEKDAYS)[::-1] * 2, list(v.WEEKDAYS)),
    ],
)
def test_schedule_days_normalises(value: list[str], expected: list[str]) -> None:
    assert v.schedule_days(value) == expected


def test_schedule_days_same_intent_same_output() -> None:
    assert v.schedule_days(["sun", "mon"]) == v.schedule_days(["Monday", "Sunday", "monday"])


@pytest.mark.parametrize("value", [[], "Monday", None, {"Monday": True}])
def test_schedule_days_rejects_non_lists_and_empty(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.schedule_days(value)
    assert_rejected(error, DAYS_FIELD, value, "Monday..Sunday")


@pytest.mark.parametrize(
    ("value", "index", "bad"),
    [
        (["Monday", "Funday"], 1, "Funday"),
        (["Mo"], 0, "Mo"),
        (["Tues"], 0, "Tues"),
        (["Monday", 1], 1, 1),
        (["Montag"], 0, "Montag"),
    ],
)
def test_schedule_days_rejects_bad_day(value: list[object], index: int, bad: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.schedule_days(value)
    assert_rejected(error, f"{DAYS_FIELD}[{index}]", bad, "weekday name")


# ------------------------------------------------------------------------------------------
# schedule_time

TIME_FIELD = "garbage_collection_schedule.time"


@pytest.mark.parametrize(
    "value",
    [
        "01:30",
        "1:30",
        "01:30:00",
        "01:30Z",
        "01:30:00Z",
        "01:30:00z",
        "01:30:00+00:00",
        "01:30:00+0000",
        "01:30:00-00:00",
        "01:30:00.000Z",
        " 01:30:00+00:00 ",
        "03:30+02:00",
        "03:30:00+0200",
        "23:30:00-02:00",
        "00:00:00-01:30",
        dt.time(1, 30),
        dt.time(1, 30, tzinfo=dt.timezone.utc),
        dt.time(6, 30, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ],
)
def test_schedule_time_normalises_to_utc(value: object) -> None:
    assert v.schedule_time(value) == "01:30:00+00:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00:00", "00:00:00+00:00"),
        ("23:59:59", "23:59:59+00:00"),
        ("16:00:00Z", "16:00:00+00:00"),
        ("00:15+01:00", "23:15:00+00:00"),
    ],
)
def test_schedule_time_values(value: str, expected: str) -> None:
    assert v.schedule_time(value) == expected


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("24:00", "hours must be 00-23"),
        ("12:60", "minutes and seconds 00-59"),
        ("12:30:60", "minutes and seconds 00-59"),
        ("01:30:00.5Z", "whole seconds"),
        ("1.5:00", "HH:MM"),
        ("01:3", "HH:MM"),
        ("0130", "HH:MM"),
        ("1:30 PM", "HH:MM"),
        ("01:30:00+25:00", "invalid UTC offset"),
        ("01:30:00 UTC", "HH:MM"),
        ("", "HH:MM"),
        ("2030-01-01T01:30:00Z", "HH:MM"),
        (130, "must be a string"),
        (dt.time(1, 30, 0, 500), "whole seconds"),
    ],
)
def test_schedule_time_rejects(value: object, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.schedule_time(value)
    assert_rejected(error, TIME_FIELD, value, detail, "UTC time of day")


# ------------------------------------------------------------------------------------------
# gc_schedule


@dataclass
class Schedule:
    days: Any
    time: Any


def test_gc_schedule_normalises_mapping_and_object_alike() -> None:
    expected = {"days": ["Saturday", "Sunday"], "time": "05:00:00+00:00"}
    assert v.gc_schedule({"days": ["Sunday", "Saturday"], "time": "05:00:00+00:00"}) == expected
    assert v.gc_schedule({"days": ["sat", "sun"], "time": "05:00Z"}) == expected
    assert v.gc_schedule(Schedule(days=("SUNDAY", "saturday"), time="07:00+02:00")) == expected


@pytest.mark.parametrize(
    ("value", "field", "bad", "detail"),
    [
        ({"time": "01:00"}, "garbage_collection_schedule.days", None, "is required"),
        ({"days": ["Monday"]}, "garbage_collection_schedule.time", None, "is required"),
        (
            {"days": ["Monday"], "time": None},
            "garbage_collection_schedule.time",
            None,
            "is required",
        ),
        ({"days": [], "time": "01:00"}, "garbage_collection_schedule.days", [], "not be empty"),
        (
            {"days": ["Monday"], "time": "25:00"},
            "garbage_collection_schedule.time",
            "25:00",
            "hours",
        ),
        (
            {"days": ["Monday", "x"], "time": "01:00"},
            "garbage_collection_schedule.days[1]",
            "x",
            "weekday",
        ),
        ("Monday 01:00", "garbage_collection_schedule", "Monday 01:00", "'days' and 'time'"),
        (None, "garbage_collection_schedule", None, "'days' and 'time'"),
    ],
)
def test_gc_schedule_rejects(value: object, field: str, bad: object, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.gc_schedule(value)
    assert_rejected(error, field, bad, detail)


_NEXT_DAY = dict(zip(v.WEEKDAYS, v.WEEKDAYS[1:] + v.WEEKDAYS[:1], strict=True))
_PREVIOUS_DAY = {after: before for before, after in _NEXT_DAY.items()}


@pytest.mark.parametrize("day", v.WEEKDAYS)
def test_gc_schedule_offset_before_utc_midnight_moves_the_day_back(day: str) -> None:
    # 01:00 at UTC+02:00 is 23:00 UTC on the day before.
    normal = v.gc_schedule({"days": [day], "time": "01:00+02:00"})
    assert normal == {"days": [_PREVIOUS_DAY[day]], "time": "23:00:00+00:00"}


@pytest.mark.parametrize("day", v.WEEKDAYS)
def test_gc_schedule_offset_after_utc_midnight_moves_the_day_on(day: str) -> None:
    # 23:00 at UTC-02:00 is 01:00 UTC on the next day.
    normal = v.gc_schedule({"days": [day], "time": "23:00-02:00"})
    assert normal == {"days": [_NEXT_DAY[day]], "time": "01:00:00+00:00"}


@pytest.mark.parametrize("day", v.WEEKDAYS)
def test_gc_schedule_offset_within_the_day_keeps_it(day: str) -> None:
    assert v.gc_schedule({"days": [day], "time": "03:00+02:00"})["days"] == [day]
    assert v.gc_schedule({"days": [day], "time": "20:00-02:00"})["days"] == [day]


def test_gc_schedule_moves_every_day_and_keeps_calendar_order() -> None:
    weekend = {"days": ["Saturday", "Sunday"], "time": "00:30+01:00"}
    assert v.gc_schedule(weekend) == {"days": ["Friday", "Saturday"], "time": "23:30:00+00:00"}
    week = {"days": list(v.WEEKDAYS), "time": "23:30-05:00"}
    assert v.gc_schedule(week) == {"days": list(v.WEEKDAYS), "time": "04:30:00+00:00"}
    aware = dt.time(0, 15, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert v.gc_schedule({"days": ["Mon"], "time": aware})["days"] == ["Sunday"]


def test_gc_schedule_normal_form_is_stable() -> None:
    # What the API reads back (UTC days and time) normalises to itself: no diff on refresh.
    normal = v.gc_schedule({"days": ["Monday", "Thursday"], "time": "01:00+02:00"})
    assert v.gc_schedule(normal) == normal


def test_schedule_in_utc_reports_the_day_shift() -> None:
    assert v.schedule_in_utc("01:00+02:00") == ("23:00:00+00:00", -1)
    assert v.schedule_in_utc("23:00-02:00") == ("01:00:00+00:00", 1)
    assert v.schedule_in_utc("12:00+02:00") == ("10:00:00+00:00", 0)
    assert v.schedule_time("01:00+02:00") == "23:00:00+00:00"


def test_gc_schedule_rejects_unknown_keys() -> None:
    value = {"days": ["Monday"], "time": "01:00", "hour": 3}
    with pytest.raises(ValidationError) as error:
        v.gc_schedule(value)
    assert_rejected(error, "garbage_collection_schedule", value, "unknown keys hour")


# ------------------------------------------------------------------------------------------
# api_subnet_allow_list

ALLOW = "api_subnet_allow_list"


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["192.168.0.167"],
        ["192.168.0.167/24"],  # host bits set: accepted and kept verbatim, like the API
        ["192.168.0.167/32", "10.0.0.0/8"],
        ["2001:0db8:85a3::/24", "::1", "2001:db8::/32"],
        ["0.0.0.0/0"],
        [f"10.0.{i}.0/24" for i in range(25)],
    ],
)
def test_api_subnet_allow_list_keeps_entries_verbatim(value: list[str]) -> None:
    assert v.api_subnet_allow_list(value) == value


def test_api_subnet_allow_list_strips_and_keeps_order() -> None:
    assert v.api_subnet_allow_list((" 10.0.0.0/8", "1.2.3.4\t")) == ["10.0.0.0/8", "1.2.3.4"]
    assert v.api_subnet_allow_list(["b::/16", "1.0.0.0/8"]) == ["b::/16", "1.0.0.0/8"]


def test_api_subnet_allow_list_rejects_too_many() -> None:
    value = [f"10.0.{i}.0/24" for i in range(26)]
    with pytest.raises(ValidationError) as error:
        v.api_subnet_allow_list(value)
    assert_rejected(error, ALLOW, value, "26 entries", "at most 25")


@pytest.mark.parametrize("value", ["10.0.0.0/8", None, {"10.0.0.0/8"}])
def test_api_subnet_allow_list_rejects_non_lists(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.api_subnet_allow_list(value)
    assert_rejected(error, ALLOW, value, "must be a list")


@pytest.mark.parametrize(
    ("entries", "index"),
    [
        (["10.0.0.0/8", "300.1.1.1"], 1),
        (["10.0.0.0/33"], 0),
        (["10.0.0.0/8", "1.2.3.4", "2001:db8::/129"], 2),
        (["example.com"], 0),
        (["10.0.0.0/255.0.0.0"], 0),
        (["fe80::1%eth0"], 0),
        (["010.0.0.1"], 0),
        ([""], 0),
        (["10.0.0.0/"], 0),
        ([167772160], 0),
    ],
)
def test_api_subnet_allow_list_rejects_bad_entry(entries: list[object], index: int) -> None:
    with pytest.raises(ValidationError) as error:
        v.api_subnet_allow_list(entries)
    assert_rejected(error, f"{ALLOW}[{index}]", entries[index], "IPv4/IPv6 address or CIDR")


def test_api_subnet_allow_list_rejects_duplicates() -> None:
    entries = ["10.0.0.0/8", "1.2.3.4", " 10.0.0.0/8"]
    with pytest.raises(ValidationError) as error:
        v.api_subnet_allow_list(entries)
    assert_rejected(error, f"{ALLOW}[2]", " 10.0.0.0/8", f"duplicates {ALLOW}[0]")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        (" 0.0.0.0/0 ", True),
        ("10.1.2.3/0", True),
        ("0.0.0.0/1", False),
        ("0.0.0.0", False),
        ("10.0.0.0/8", False),
        ("::/1", False),
        ("nonsense", False),
    ],
)
def test_is_allow_all(entry: str, expected: bool) -> None:
    assert v.is_allow_all(entry) is expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (["203.0.113.7"], ["203.0.113.7/32"], True),
        (["192.168.0.167/24"], ["192.168.0.0/24"], True),
        (["10.0.0.0/8", "2001:0db8:85a3::/24"], ["2001:d00::/24", "10.0.0.0/8"], True),
        (None, [], True),
        (["10.0.0.0/8"], None, False),
        (["10.0.0.0/8"], ["10.0.0.0/16"], False),
        (["not-an-ip"], ["not-an-ip"], True),
        (["not-an-ip"], ["10.0.0.0/8"], False),
    ],
)
def test_same_allow_list_compares_networks_not_spellings(a: Any, b: Any, same: bool) -> None:
    assert v.same_allow_list(a, b) is same
    assert v.same_allow_list(b, a) is same


# ------------------------------------------------------------------------------------------
# vulnerability_scanning


@pytest.mark.parametrize("value", [True, False])
def test_vulnerability_scanning_accepts_bools(value: bool) -> None:
    assert v.vulnerability_scanning(value) is value


@pytest.mark.parametrize("value", [1, 0, "true", "false", None])
def test_vulnerability_scanning_rejects_non_bools(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.vulnerability_scanning(value)
    assert_rejected(error, "vulnerability_scanning", value, "true or false")


# ------------------------------------------------------------------------------------------
# token_status


@pytest.mark.parametrize(
    ("value", "expected"),
    [("enabled", "enabled"), ("Enabled", "enabled"), (" DISABLED ", "disabled")],
)
def test_token_status_normalises(value: str, expected: str) -> None:
    assert v.token_status(value) == expected


@pytest.mark.parametrize("value", ["active", "", "enable", True, None])
def test_token_status_rejects(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.token_status(value)
    assert_rejected(error, "status", value, "'enabled' or 'disabled'")


# ------------------------------------------------------------------------------------------
# token_scopes


@dataclass
class Scope:
    name: Any
    actions: Any
    type: Any = None


def test_token_scopes_normalises() -> None:
    written = [
        {"name": "app", "actions": ["PUSH", "pull", "push"]},
        {"name": "*", "actions": ["pull"], "type": "Registry"},
    ]
    expected = [
        {"name": "*", "actions": ["pull"], "type": "registry"},
        {"name": "app", "actions": ["pull", "push"], "type": "repository"},
    ]
    assert v.token_scopes(written) == expected


def test_token_scopes_same_intent_same_output() -> None:
    a = v.token_scopes(
        [
            {"name": "team/app", "actions": ["delete", "pull", "push"], "type": "repository"},
            {"name": "*", "actions": ["pull"], "type": "repository"},
        ]
    )
    b = v.token_scopes(
        (
            Scope(name="*", actions=("Pull",)),
            Scope(name=" team/app ", actions=["push", "pull", "DELETE", "pull"], type=None),
        )
    )
    assert a == b
    assert [s["name"] for s in a] == ["*", "team/app"]
    assert a[1]["actions"] == ["pull", "push", "delete"]


def test_token_scopes_accepts_empty_list() -> None:
    assert v.token_scopes([]) == []


def test_token_scopes_keeps_same_name_of_different_types() -> None:
    scopes = v.token_scopes(
        [{"name": "*", "actions": ["pull"]}, {"name": "*", "actions": ["pull"], "type": "registry"}]
    )
    assert [(s["type"], s["name"]) for s in scopes] == [("registry", "*"), ("repository", "*")]


@pytest.mark.parametrize(
    ("value", "field", "bad", "detail"),
    [
        ([{"name": "", "actions": ["pull"]}], "scopes[0].name", "", "non-empty"),
        ([{"name": "  ", "actions": ["pull"]}], "scopes[0].name", "  ", "non-empty"),
        ([{"actions": ["pull"]}], "scopes[0].name", None, "non-empty"),
        ([{"name": 5, "actions": ["pull"]}], "scopes[0].name", 5, "non-empty"),
        ([{"name": "a"}], "scopes[0].actions", None, "is required"),
        ([{"name": "a", "actions": []}], "scopes[0].actions", [], "not be empty"),
        ([{"name": "a", "actions": "pull"}], "scopes[0].actions", "pull", "must be a list"),
        (
            [{"name": "a", "actions": ["pull"]}, {"name": "b", "actions": ["pull", "read"]}],
            "scopes[1].actions[1]",
            "read",
            "pull, push, delete",
        ),
        ([{"name": "a", "actions": ["*"]}], "scopes[0].actions[0]", "*", "pull, push, delete"),
        (
            [{"name": "a", "actions": ["pull"], "type": ""}],
            "scopes[0].type",
            "",
            "'repository'",
        ),
        (
            [{"name": "a", "actions": ["pull"], "type": "repo sitory"}],
            "scopes[0].type",
            "repo sitory",
            "scope type",
        ),
        (["a:pull"], "scopes[0]", "a:pull", "name, actions"),
        ("*:pull", "scopes", "*:pull", "must be a list"),
    ],
)
def test_token_scopes_rejects(value: object, field: str, bad: object, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.token_scopes(value)
    assert_rejected(error, field, bad, detail)


def test_token_scopes_rejects_unknown_keys() -> None:
    scope = {"name": "a", "action": ["pull"]}
    with pytest.raises(ValidationError) as error:
        v.token_scopes([scope])
    assert_rejected(error, "scopes[0]", scope, "unknown keys action")


def test_token_scopes_rejects_duplicates() -> None:
    value = [
        {"name": "app", "actions": ["pull"]},
        {"name": "*", "actions": ["pull"]},
        {"name": "app", "actions": ["push"], "type": "REPOSITORY"},
    ]
    with pytest.raises(ValidationError) as error:
        v.token_scopes(value)
    assert_rejected(error, "scopes[2]", value[2], "duplicates scopes[0]", "merge")


# ------------------------------------------------------------------------------------------
# expiry_date


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-31T12:00:00Z",
        "2030-01-31T12:00:00z",
        "2030-01-31t12:00:00Z",
        "2030-01-31 12:00:00Z",
        "2030-01-31T12:00:00.000Z",
        "2030-01-31T12:00:00.999999Z",
        "2030-01-31T12:00:00+00:00",
        "2030-01-31T12:00:00-00:00",
        "2030-01-31T13:00:00+01:00",
        "2030-01-31T06:30:00.5-05:30",
        " 2030-01-31T12:00:00Z ",
        dt.datetime(2030, 1, 31, 12, tzinfo=dt.timezone.utc),
        dt.datetime(2030, 1, 31, 12, 0, 0, 123456, tzinfo=dt.timezone.utc),
        dt.datetime(2030, 1, 31, 21, tzinfo=dt.timezone(dt.timedelta(hours=9))),
    ],
)
def test_expiry_date_normalises_to_utc(value: object) -> None:
    assert v.expiry_date(value, now=NOW) == "2030-01-31T12:00:00Z"


@pytest.mark.parametrize("value", ["2030-01-31", dt.date(2030, 1, 31)])
def test_expiry_date_plain_date_is_midnight_utc(value: object) -> None:
    assert v.expiry_date(value, now=NOW) == "2030-01-31T00:00:00Z"


def test_expiry_date_none_never_expires() -> None:
    assert v.expiry_date(None) is None
    assert v.expiry_date(None, now=NOW) is None


def test_expiry_date_crossing_midnight() -> None:
    assert v.expiry_date("2030-01-01T00:30:00+01:00", now=NOW) == "2029-12-31T23:30:00Z"


@pytest.mark.parametrize(
    "value",
    [
        "2026-06-01T12:00:00Z",  # == now
        "2026-06-01T13:59:59+02:00",  # a second before now
        "2026-06-01",
        "2000-01-01T00:00:00Z",
        dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
    ],
)
def test_expiry_date_rejects_past(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        v.expiry_date(value, now=NOW)
    assert_rejected(error, "expiry_date", value, "must be in the future")


def test_expiry_date_just_after_now_is_accepted() -> None:
    assert v.expiry_date("2026-06-01T12:00:01Z", now=NOW) == "2026-06-01T12:00:01Z"


def test_expiry_date_default_now_is_the_clock() -> None:
    assert v.expiry_date("2999-01-01") == "2999-01-01T00:00:00Z"
    with pytest.raises(ValidationError):
        v.expiry_date("2001-01-01")


def test_expiry_date_allow_past() -> None:
    assert v.expiry_date("2000-01-01", allow_past=True) == "2000-01-01T00:00:00Z"


def test_expiry_date_now_must_be_aware() -> None:
    with pytest.raises(TypeError):
        v.expiry_date("2030-01-01", now=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("2030-01-31T12:00:00", "needs a UTC offset"),
        (dt.datetime(2030, 1, 31, 12), "naive datetime"),
        ("2030-02-30T12:00:00Z", "not a valid date"),
        ("2030-13-01", "not a valid date"),
        ("2030-01-31T24:00:00Z", "not a valid date"),
        ("2030-01-31T12:00:60Z", "not a valid date"),
        ("2030-01-31T12:00:00+24:00", "not a valid date"),
        ("2030-01-31T12:00Z", "RFC 3339"),
        ("31.01.2030", "RFC 3339"),
        ("tomorrow", "RFC 3339"),
        ("", "RFC 3339"),
        (1893456000, "must be a string"),
        ("0001-01-01T00:00:00+01:00", "not a valid date"),
    ],
)
def test_expiry_date_rejects(value: object, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.expiry_date(value, now=NOW)
    assert_rejected(error, "expiry_date", value, detail, "RFC 3339")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, True),
        (None, "2030-01-01T00:00:00Z", False),
        ("2030-01-01T00:00:00Z", None, False),
        ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000+00:00", True),
        ("2030-01-01T01:00:00+01:00", "2030-01-01", True),
        ("2030-01-01T00:00:00Z", dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc), True),
        ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00.593Z", True),  # past is fine here
        ("2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", False),
        ("garbage", "garbage", True),
        ("garbage", "2030-01-01", False),
    ],
)
def test_same_instant(a: object, b: object, expected: bool) -> None:
    assert v.same_instant(a, b) is expected


# ------------------------------------------------------------------------------------------
# repository_name


@pytest.mark.parametrize(
    "name",
    [
        "ubuntu",
        "team/app",
        "a/b/c",
        "my.app",
        "my_app",
        "my__app",
        "my-app",
        "my---app",
        "x1/y2.z3",
        "a" * 256,
        "/".join(["abc"] * 64),
    ],
)
def test_repository_name_accepts(name: str) -> None:
    assert v.repository_name(name) == name


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("", "must not be empty"),
        ("a" * 257, "257 characters"),
        ("Ubuntu", "uppercase"),
        ("/app", "empty path component"),
        ("app/", "empty path component"),
        ("team//app", "empty path component"),
        ("my___app", "component 0"),
        ("my..app", "component 0"),
        ("my.-app", "component 0"),
        ("team/-app", "component 1"),
        ("team/app_", "component 1"),
        ("team/app:latest", "component 1"),
        ("my app", "component 0"),
    ],
)
def test_repository_name_rejects(name: str, detail: str) -> None:
    with pytest.raises(ValidationError) as error:
        v.repository_name(name)
    assert_rejected(error, "name", name, detail, v.REPOSITORY_COMPONENT_PATTERN)


# ------------------------------------------------------------------------------------------
# validate_fields

REGISTRY_RULES: dict[str, v.Rule] = {
    "name": v.registry_name,
    "location": lambda value: v.location_id(value, v.KNOWN_LOCATIONS),
    "garbage_collection_schedule": v.gc_schedule,
    "api_subnet_allow_list": v.api_subnet_allow_list,
    "vulnerability_scanning": v.vulnerability_scanning,
}


def test_validate_fields_normalises_and_keeps_other_keys() -> None:
    inputs = {
        "name": "my-registry",
        "location": "DE/FRA",
        "garbage_collection_schedule": {"days": ["sun", "sat"], "time": "03:00+02:00"},
        "extra": [1, 2],
    }
    normalised, errors = v.validate_fields(inputs, REGISTRY_RULES)
    assert errors == []
    assert normalised == {
        "name": "my-registry",
        "location": "de/fra",
        "garbage_collection_schedule": {"days": ["Saturday", "Sunday"], "time": "01:00:00+00:00"},
        "extra": [1, 2],
    }
    assert inputs["location"] == "DE/FRA"  # input not mutated


def test_validate_fields_collects_one_error_per_field() -> None:
    inputs = {
        "name": "My_Registry",
        "location": "us/ewr",
        "api_subnet_allow_list": ["10.0.0.0/8", "nope"],
        "vulnerability_scanning": "yes",
    }
    normalised, errors = v.validate_fields(inputs, REGISTRY_RULES)
    assert [e.field for e in errors] == [
        "name",
        "location",
        "api_subnet_allow_list[1]",
        "vulnerability_scanning",
    ]
    assert normalised == inputs  # failing values are left as they were


def test_validate_fields_skips_absent_none_and_skipped_values() -> None:
    unknown = object()
    inputs = {"name": unknown, "location": None}
    normalised, errors = v.validate_fields(inputs, REGISTRY_RULES, skip=lambda x: x is unknown)
    assert errors == []
    assert normalised == inputs
