"""Exercise checkers, one module per lesson; `probes` chooses the inputs they try and `watch` records what a
learner's function calls. Each check computes the right answer from the live models."""
