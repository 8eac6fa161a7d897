"""Engines: the one place that knows DuckDB and Spark.

- :mod:`~journeyscope.engine.dialect`: how SQL is spelled on each engine (``Sql``, ``SparkSql``);
- :mod:`~journeyscope.engine.runner`: the runner protocol and the embedded DuckDB runner,
  with the per-customer primitive the funnel walk and attribution use;
- :mod:`~journeyscope.engine.spark`: the Spark runner (PySpark imported lazily);
- :mod:`~journeyscope.engine.select`: choosing the engine (flags, ``workspace.yaml``,
  ``--dataset``) and opening its runner.

Faces (the CLI, the server) never import ``duckdb`` or ``pyspark``; they go through the
application layer (:mod:`journeyscope.app`), which opens runners here.
"""
