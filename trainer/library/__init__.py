"""The YAML format and its loading: model, nodes, problems, durations, sources, loader (pure)."""
