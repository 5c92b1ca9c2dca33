"""The stack policies: token scopes against declared repositories, tokens per registry."""

from __future__ import annotations

import pytest

from pulumi_ionoscr.policies import token_scopes_declared, tokens_per_registry

from ._support import UNKNOWN, registry, repository, run_stack, token

REG_ID = "0f6a0d77-0000-4000-8000-000000000001"
OTHER_ID = "0f6a0d77-0000-4000-8000-000000000002"


def pull(name):
    return {"name": name, "actions": ["pull"], "type": "repository"}


def stack(*extra, reg_id=REG_ID):
    reg = registry("shop-main", reg_id)
    return [
        reg,
        repository("app", reg_id),
        repository("team/web", reg_id),
        *extra,
    ]


# ---- 8. scopes name declared repositories ------------------------------------------------


def test_scopes_naming_declared_repositories_pass():
    resources = stack(token("ci", REG_ID, [pull("app"), pull("team/web"), pull("*")]))
    assert run_stack(token_scopes_declared, resources) == []


def test_a_scope_naming_an_undeclared_repository_violates_on_the_token():
    tok = token("ci", REG_ID, [pull("app"), pull("ap")])
    [(message, urn)] = run_stack(token_scopes_declared, stack(tok))
    assert urn == tok.urn
    assert "RegistryToken 'ci'" in message
    assert "`scopes[1].name` = 'ap'" in message
    assert "Registry 'shop-main'" in message and "declared: 'app', 'team/web'" in message
    assert "Fix:" in message


def test_external_repositories_and_wildcard_from_config():
    tok = token("ci", REG_ID, [pull("cache/base"), pull("*")])
    reported = run_stack(token_scopes_declared, stack(tok))
    assert len(reported) == 1 and "'cache/base'" in reported[0][0]
    assert run_stack(token_scopes_declared, stack(tok), {"externalRepositories": ["cache/*"]}) == []
    reported = run_stack(
        token_scopes_declared,
        stack(tok),
        {"externalRepositories": ["cache/*"], "allowWildcard": False},
    )
    assert len(reported) == 1 and "names '*'" in reported[0][0]


def test_pattern_scopes_pass_when_they_cover_a_declared_repository():
    assert run_stack(token_scopes_declared, stack(token("ci", REG_ID, [pull("team/*")]))) == []
    [(message, _)] = run_stack(token_scopes_declared, stack(token("ci", REG_ID, [pull("ops/*")])))
    assert "'ops/*'" in message


def test_repositories_of_another_registry_do_not_count():
    other = registry("shop-eu", OTHER_ID)
    resources = [*stack(), other, token("ci", OTHER_ID, [pull("app")])]
    [(message, _)] = run_stack(token_scopes_declared, resources)
    assert "Registry 'shop-eu'" in message and "declared: none" in message


def test_a_registry_outside_the_stack_without_declared_repositories_is_skipped():
    resources = [token("ci", "ffffffff-0000-4000-8000-000000000009", [pull("anything")])]
    assert run_stack(token_scopes_declared, resources) == []


def test_repositories_declared_for_an_external_registry_are_checked():
    external = "ffffffff-0000-4000-8000-000000000009"
    resources = [repository("app", external), token("ci", external, [pull("web")])]
    [(message, _)] = run_stack(token_scopes_declared, resources)
    assert "not managed in this stack" in message and "'web'" in message


def test_during_preview_property_dependencies_link_tokens_to_registries():
    # New resources: every id is unknown; only the engine's property dependencies tell which
    # registry a token or repository belongs to.
    reg = registry("shop-main", UNKNOWN)
    resources = [
        reg,
        repository("app", UNKNOWN, dep=reg),
        token("ci", UNKNOWN, [pull("app"), pull("web")], dep=reg),
    ]
    [(message, _)] = run_stack(token_scopes_declared, resources)
    assert "'web'" in message


def test_unknowns_are_never_violations():
    reg = registry("shop-main", REG_ID)
    # An unknown registry id with no dependency: the token cannot be placed.
    assert run_stack(token_scopes_declared, [reg, token("ci", UNKNOWN, [pull("nope")])]) == []
    # Unknown scopes, unknown scope names.
    assert run_stack(token_scopes_declared, stack(token("ci", REG_ID, UNKNOWN))) == []
    assert run_stack(token_scopes_declared, stack(token("ci", REG_ID, [pull(UNKNOWN)]))) == []
    # An unknown repository name may be the one the scope names.
    resources = [reg, repository(UNKNOWN, REG_ID), token("ci", REG_ID, [pull("web")])]
    assert run_stack(token_scopes_declared, resources) == []


def test_scopes_of_other_types_are_not_repositories():
    scope = {"name": "catalog", "actions": ["pull"], "type": "registry"}
    assert run_stack(token_scopes_declared, stack(token("ci", REG_ID, [scope]))) == []


# ---- 9. tokens per registry --------------------------------------------------------------


def tokens(count, reg_id=REG_ID, dep=None):
    return [token(f"t{i}", reg_id, [pull("app")], dep=dep) for i in range(count)]


def test_ten_tokens_per_registry_by_default():
    assert run_stack(tokens_per_registry, stack(*tokens(10))) == []
    [(message, urn)] = run_stack(tokens_per_registry, stack(*tokens(11)))
    assert urn == stack()[0].urn  # reported on the registry
    assert "Registry 'shop-main'" in message and "has 11 tokens" in message
    assert "'t0'" in message and "at most 10" in message and "Fix:" in message


def test_limit_from_config_arrives_as_a_float():
    resources = stack(*tokens(3))
    assert run_stack(tokens_per_registry, resources, {"maxTokensPerRegistry": 3.0}) == []
    [(message, _)] = run_stack(tokens_per_registry, resources, {"maxTokensPerRegistry": 2.0})
    assert "has 3 tokens" in message and "at most 2" in message


def test_tokens_are_counted_per_registry():
    resources = [*stack(*tokens(2)), registry("shop-eu", OTHER_ID), *tokens(2, OTHER_ID)]
    assert run_stack(tokens_per_registry, resources, {"maxTokensPerRegistry": 2}) == []
    resources.append(token("extra", OTHER_ID, [pull("app")]))
    [(message, _)] = run_stack(tokens_per_registry, resources, {"maxTokensPerRegistry": 2})
    assert "Registry 'shop-eu'" in message


def test_tokens_of_a_registry_outside_the_stack_are_counted_on_a_token():
    external = "ffffffff-0000-4000-8000-000000000009"
    resources = tokens(3, external)
    [(message, urn)] = run_stack(tokens_per_registry, resources, {"maxTokensPerRegistry": 2})
    assert urn == resources[-1].urn and external in message


def test_preview_counts_by_dependency_and_skips_unplaceable_tokens():
    reg = registry("shop-main", UNKNOWN)
    assert run_stack(
        tokens_per_registry, [reg, *tokens(3, UNKNOWN, dep=reg)], {"maxTokensPerRegistry": 2}
    )
    assert (
        run_stack(tokens_per_registry, [reg, *tokens(3, UNKNOWN)], {"maxTokensPerRegistry": 2})
        == []
    )


@pytest.mark.parametrize(
    "policy", [token_scopes_declared, tokens_per_registry], ids=lambda p: p.name
)
def test_an_empty_stack_passes(policy):
    assert run_stack(policy, []) == []
