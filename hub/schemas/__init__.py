"""Marshmallow schemas of the JSON API: what each endpoint takes and returns."""
