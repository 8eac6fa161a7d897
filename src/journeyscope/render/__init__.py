"""Renderers: journey maps and personas to SVG, HTML, PDF, PNG and Excel."""
