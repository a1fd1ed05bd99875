"""Screens pushed over the main one: help, replay comparison."""
