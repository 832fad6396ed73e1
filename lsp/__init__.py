"""artgate in editors: a Language Server Protocol server over stdio (``artgate lsp``).

- ``lsp.server``: the server (pygls): diagnostics on open, change (debounced) and save, hover on
  claims, code actions that apply a suggestion or add a suppression directive.
- ``lsp.documents``: an editor buffer as an ``Article`` (and, for a JSON record, where its body
  sits in the file), checked by the same ``flows.check.check_article`` as the command line.
- ``lsp.positions``: character offsets ↔ LSP positions.
"""
