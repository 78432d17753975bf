"""Customers: one per connected set of e-mails and phones in a shop, kept from its inquiries,
with their consent per channel. The dashboard counts them; campaigns write to them."""
