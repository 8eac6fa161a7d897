"""The HTTP server: FastAPI routes over the application layer (docs/server.md).

Import :func:`create_app` from :mod:`journeyscope.server.app`; this package itself imports
nothing heavy, so the CLI can name it without loading FastAPI.
"""
