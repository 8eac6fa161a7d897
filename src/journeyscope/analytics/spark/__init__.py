"""The analytics on Apache Spark: the same reports, computed where the events are."""
