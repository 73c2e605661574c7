"""Exercise checkers, one module per lesson. Each check computes the right answer from the live models."""
