"""Models of this room arrive with its issue."""
