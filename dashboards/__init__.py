"""Read-only metrics and Plotly dashboards (issue 5)."""
