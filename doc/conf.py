# Sphinx configuration of the meshd documentation (user guide and man page).
project = "meshd"
author = "meshd developers"
copyright = "2026, meshd developers"
release = "0.1.0"
master_doc = "index"
exclude_patterns = ["_build"]
html_theme = "classic"
man_pages = [
    ("manpages/meshd", "meshd", "encrypted IVN mesh daemon for FRR", [author], 8),
]


def setup(app):
    # FRR's documentation marks CLI commands with a 'clicmd' directive;
    # a plain object type gives the same markup and index entries.
    app.add_object_type("clicmd", "clicmd", objname="CLI command",
                        indextemplate="pair: %s; command")
