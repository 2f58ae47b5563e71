"""Read-only metrics and Plotly dashboards, every figure through the privacy engine
(`dashboards.privacy`)."""
