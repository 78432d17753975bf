from barberbot.cli import app

app(prog_name="barberbot")
