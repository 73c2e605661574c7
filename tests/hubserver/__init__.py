"""A stand-in for huggingface.co inside the test suite: a small Hub-protocol server and the faithful checkpoints it
serves. The course never imports this package; it reaches the server only through HF_ENDPOINT."""
