"""`barberbot import`: the spreadsheets shops already keep, loaded into a shop."""
