"""Who the customers are and what they ask for: aggregates in the database, pandas on top."""
