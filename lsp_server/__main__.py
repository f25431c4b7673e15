"""`python -m lsp_server` starts the language server on stdio (what editors launch)."""

from .cli import main

if __name__ == "__main__":
    main(["serve", *__import__("sys").argv[1:]])
