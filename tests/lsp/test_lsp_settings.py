"""The `posthog` settings as VS Code and other editors send them: flat or nested, partly wrong, merged."""

from __future__ import annotations

import logging

import pytest

from lsp_server.features.settings import ServerSettings, parse_settings


def test_vscode_payload_is_read_flat_and_unknown_keys_are_kept_for_their_features():
    payload = {"enable": True, "severity": {"posthog/untracked-flow": "off"}, "excludes": ["dist/"],
               "region": "eu", "mcp": {"mode": "bundled"}}
    settings = parse_settings(payload)
    assert settings.analysis().severity_for("posthog/untracked-flow") is None
    assert settings.excludes == ["dist/"] and settings.extra["region"] == "eu"
    assert settings.region == "eu" and settings.mcp == {"mode": "bundled"} and getattr(settings, "host", None) is None


def test_nested_section_and_delay_alias():
    settings = parse_settings({"posthog": {"diagnosticsDelay": 0, "severity": {"posthog/legacy-api": "Error"}}})
    assert settings.diagnostics_delay_ms == 0
    assert settings.analysis().severity_for("posthog/legacy-api") == "error"


def test_bad_values_keep_the_previous_setting_and_the_good_ones_apply():
    base = parse_settings({"enable": False, "excludes": ["old/"]})
    settings = parse_settings(
        {"enable": "sometimes", "excludes": "not-a-list", "severity": {"a": "loud", "b": "hint"},
         "diagnosticsDelay": -5},
        base,
    )
    assert settings.enable is False and settings.excludes == ["old/"]
    assert settings.severity == {"b": "hint"}
    assert settings.diagnostics_delay_ms == ServerSettings().diagnostics_delay_ms


def test_missing_or_odd_payloads_give_defaults():
    assert parse_settings(None) == ServerSettings()
    assert parse_settings(["posthog"]) == ServerSettings()


def test_each_ignored_value_is_logged_with_the_setting_and_what_was_expected(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="lsp_server.features.settings"):
        settings = parse_settings({"enable": "sometimes", "excludes": ["a", 3], "diagnosticsDelay": 20_000,
                                   "severity": {"posthog/legacy-api": "loud"}})
    messages = "\n".join(caplog.messages)
    assert "posthog.enable: expected true or false, got 'sometimes'" in messages
    assert "posthog.excludes: expected a list of strings" in messages
    assert "posthog.diagnosticsDelay: expected 0 to 10000 milliseconds, got 20000" in messages
    assert "posthog.severity.posthog/legacy-api: unknown level 'loud'" in messages
    assert settings == ServerSettings()


@pytest.mark.parametrize(("sent", "read"), [
    ({"enable": "false"}, {"enable": False}), ({"enable": " Yes "}, {"enable": True}),
    ({"enable": 0}, {"enable": False}), ({"excludes": ("dist/", "build/")}, {"excludes": ["dist/", "build/"]}),
    ({"diagnosticsDelay": "250"}, {"diagnostics_delay_ms": 250}),
    ({"diagnosticsDelay": 40.0}, {"diagnostics_delay_ms": 40}),
    ({"diagnostics_delay_ms": 5}, {"diagnostics_delay_ms": 5}),
    ({"diagnosticsDelay": 12.5}, {}), ({"diagnosticsDelay": None}, {}), ({"enable": 2}, {}),
    ({"severity": {1: "off"}}, {}),
])
def test_values_editors_send_as_strings_or_floats_are_read_and_odd_ones_keep_the_default(sent, read):
    settings = parse_settings(sent)
    defaults = ServerSettings()
    for name in ("enable", "severity", "excludes", "diagnostics_delay_ms"):
        assert getattr(settings, name) == read.get(name, getattr(defaults, name))


def test_a_later_merge_does_not_change_settings_a_feature_still_holds():
    first = parse_settings({"excludes": ["dist/"], "severity": {"posthog/legacy-api": "error"}, "region": "eu"})
    second = parse_settings({"host": "http://127.0.0.1:8765"}, first)
    second.excludes.append("tmp/")
    second.severity["posthog/legacy-api"] = "off"
    assert first.excludes == ["dist/"] and first.severity == {"posthog/legacy-api": "error"}
    assert first.extra == {"region": "eu"} and second.extra == {"region": "eu", "host": "http://127.0.0.1:8765"}
    assert first != second
