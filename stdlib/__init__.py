"""Typed classes for Heat's resource types, and handwritten constructs built on them."""
