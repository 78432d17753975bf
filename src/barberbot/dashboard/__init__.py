"""The owner's live dashboard at /dashboard/: Dash + Plotly, served by the FastAPI app."""
