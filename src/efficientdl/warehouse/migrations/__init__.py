"""Versioned schema migrations.

Each module ``mNNNN_<name>.py`` here defines ``upgrade(con)``; the runner in
:mod:`efficientdl.warehouse.migrate` applies the modules whose number is not
yet in ``schema_migrations``, in ascending order, each in its own
transaction. Number ranges keep work on different stages apart: 0001-0099
core tables, 0100-0199 discovery, 0200-0299 PDF extraction and review,
0300-0399 predictors, 0400-0499 recommendations, 0500-0599 verification.
"""
