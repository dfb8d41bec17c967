"""The ``efficientdl`` command: one module per stage registers its subcommands."""
