"""Thin Typer commands: parse, call one function, print. No logic lives here."""
