"""BarberBot: capture barbershop inquiries, understand customers, win them back."""

__version__ = "0.1.0"
