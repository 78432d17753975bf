"""Targeted campaigns: customers and consent, segments, personalised e-mail and SMS, results."""
