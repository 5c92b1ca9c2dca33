"""The RegistryToken policies: expiry and least privilege."""

from __future__ import annotations

import datetime as dt

import pytest

from pulumi_ionoscr.policies import TOKEN_TYPE, _token_policies, token_expiry, token_least_privilege

from ._support import UNKNOWN, run_resource, token_props

NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(_token_policies, "clock", lambda: NOW)


def at(days: float) -> str:
    return (NOW + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(policy, config=None, **props):
    return run_resource(policy, token_props(**props), config, resource_type=TOKEN_TYPE, name="ci")


# ---- 6. expiry ---------------------------------------------------------------------------


def test_a_token_without_expiry_violates_by_default():
    [message] = run(token_expiry, expiry_date=None)
    assert "RegistryToken 'ci-push' (urn:pulumi:dev::shop::" in message
    assert "`expiry_date` is not set" in message
    assert "no later than 2027-11-28T12:00:00Z" in message  # the default maxDays = 365


def test_expiry_within_the_default_365_days_passes_and_beyond_violates():
    assert run(token_expiry, expiry_date=at(30)) == []
    assert run(token_expiry, expiry_date=at(365)) == []
    [message] = run(token_expiry, expiry_date=at(366))
    assert "366 days away; at most 365" in message and f"{at(366)!r}" in message


def test_max_days_from_config_arrives_as_a_float():
    assert run(token_expiry, {"maxDays": 90.0}, expiry_date=at(90)) == []
    [message] = run(token_expiry, {"maxDays": 90.0}, expiry_date=at(91))
    assert "at most 90 are allowed" in message


def test_never_expiring_tokens_may_be_allowed_by_config():
    assert run(token_expiry, {"requireExpiry": False}, expiry_date=None) == []
    # ...but an expiry that is set still has to be within maxDays.
    assert run(token_expiry, {"requireExpiry": False}, expiry_date=at(400))


@pytest.mark.parametrize(
    "spelling",
    [
        "2027-01-01",  # a date: midnight UTC
        "2027-01-01T01:00:00.000+01:00",  # an offset
        "2027-01-01 00:00:00Z",
    ],
)
def test_raw_expiry_spellings_are_understood(spelling):
    assert run(token_expiry, {"maxDays": 40}, expiry_date=spelling) == []
    assert run(token_expiry, {"maxDays": 30}, expiry_date=spelling)


def test_unparsable_expiry_violates_with_the_shared_rule():
    [message] = run(token_expiry, expiry_date="next tuesday")
    assert "'next tuesday'" in message and "RFC 3339" in message


def test_unknown_expiry_is_not_a_violation():
    assert run(token_expiry, expiry_date=UNKNOWN) == []


# ---- 7. least privilege ------------------------------------------------------------------


def scope(name, *actions, type_=None):
    s = {"name": name, "actions": list(actions)}
    if type_:
        s["type"] = type_
    return s


def test_named_push_and_wildcard_pull_pass():
    scopes = [scope("app", "pull", "push"), scope("*", "pull")]
    assert run(token_least_privilege, scopes=scopes) == []


@pytest.mark.parametrize("name", ["*", "team/*"])
def test_push_on_a_wildcard_violates_unless_allowed(name):
    scopes = [scope("app", "pull"), scope(name, "PULL", "Push")]  # raw spellings
    [message] = run(token_least_privilege, scopes=scopes)
    assert f"`scopes[1]` (name {name!r}, actions ['pull', 'push'])" in message
    assert "allowWildcardPush" in message
    assert run(token_least_privilege, {"allowWildcardPush": True}, scopes=scopes) == []


def test_delete_is_allowed_nowhere_by_default_and_where_config_says():
    scopes = [scope("app", "pull", "delete")]
    [message] = run(token_least_privilege, scopes=scopes)
    assert "grants delete" in message and "on no repository" in message
    assert run(token_least_privilege, {"deleteAllowedOn": ["app"]}, scopes=scopes) == []
    assert run(token_least_privilege, {"deleteAllowedOn": ["ap*"]}, scopes=scopes) == []
    [message] = run(token_least_privilege, {"deleteAllowedOn": ["web"]}, scopes=scopes)
    assert "only on 'web'" in message


def test_delete_on_a_wildcard_needs_the_wildcard_listed():
    scopes = [scope("*", "pull", "delete")]
    assert run(token_least_privilege, {"deleteAllowedOn": ["app*"]}, scopes=scopes)
    assert run(token_least_privilege, {"deleteAllowedOn": ["*"]}, scopes=scopes) == []


def test_push_and_delete_on_a_wildcard_report_both():
    messages = run(token_least_privilege, scopes=[scope("*", "push", "delete")])
    assert len(messages) == 2


def test_invalid_scopes_are_reported_with_their_index():
    scopes = [scope("app", "pull"), scope("web", "write")]
    [message] = run(token_least_privilege, scopes=scopes)
    assert "`scopes[1].actions[0]` = 'write'" in message


def test_unknown_scopes_are_skipped_and_known_siblings_checked():
    assert run(token_least_privilege, scopes=UNKNOWN) == []
    scopes = [scope(UNKNOWN, "push", "delete"), scope("app", "pull", UNKNOWN)]
    assert run(token_least_privilege, scopes=scopes) == []
    scopes = [scope(UNKNOWN, "push"), scope("*", "push")]
    [message] = run(token_least_privilege, scopes=scopes)
    assert "`scopes[1]`" in message
