"""The `posthog` settings as VS Code and other editors send them: flat or nested, partly wrong, merged."""

from __future__ import annotations

from lsp_server.features.settings import ServerSettings, parse_settings


def test_vscode_payload_is_read_flat_and_unknown_keys_are_kept_for_their_features():
    payload = {"enable": True, "severity": {"posthog/untracked-flow": "off"}, "excludes": ["dist/"],
               "region": "eu", "mcp": {"mode": "bundled"}}
    settings = parse_settings(payload)
    assert settings.analysis().severity_for("posthog/untracked-flow") is None
    assert settings.excludes == ["dist/"] and settings.model_extra["region"] == "eu"


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
