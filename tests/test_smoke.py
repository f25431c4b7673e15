"""The package imports and the analysis facade survives any input."""

from lsp_server.analysis import analyze_document


def test_binary_and_unknown_files_do_not_raise():
    assert analyze_document("a.bin", "\x00\x01").flows == ()
    result = analyze_document("broken.ts", "export function (((")
    assert result.language == "typescript"
