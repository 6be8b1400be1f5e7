"""Intake of customs declarations as CEB XML or JSON: parse once, check, store, answer."""
