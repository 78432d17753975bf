"""Shops' own questions: versioned form definitions, answer rules and the answer stores."""
