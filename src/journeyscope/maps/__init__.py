"""Journey-map documents: model, personas, stage models, templates, checks, Excel, Mermaid."""
