"""Journey-map documents: model, personas, stage models, templates, validation, Excel, Mermaid, diff."""
