"""Exercise checkers, one module per lesson, and `watch`, which records what a learner's function calls. Each check
computes the right answer from the live models."""
