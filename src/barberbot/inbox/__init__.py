"""The inquiry inbox: statuses and assignees (`transitions`), the timeline (`events`), internal
notes, saved replies and replies to the customer, and their REST API (`api`).

Services flush; the request (or whatever edge calls them) commits. Sending the queued replies
is the sender's work, not this package's.
"""
